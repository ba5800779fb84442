export { deleteContact } from './contacts';
export { exportContactsCsv } from './export';
export { importContactsCsv } from './import';
export { receiveInboundMessage } from './inbound';
export { undoImport } from './undo-import';
export { syncConnection } from './sync';
