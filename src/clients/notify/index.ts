/** Delivering notices: settings from the config and environment, the sent-ledger, the POST. */
export { noticeSettings, noticeSecrets, type NoticeSettings, type NoticeReceiver } from './settings.js';
export { sentLedger, type SentLedger, type LedgerEntry } from './ledger.js';
export { postNotice } from './deliver.js';
