export { deleteContact } from './contacts';
export { importContactsCsv } from './import';
export { receiveInboundMessage } from './inbound';
