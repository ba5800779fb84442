export { deleteContact } from './contacts';
export { receiveInboundMessage } from './inbound';
