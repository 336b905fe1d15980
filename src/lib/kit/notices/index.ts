/** Notices, worker side: who gets one, what it says, its delivery id. Pure. */
export { noticeTargetsFor, type NoticeFilter } from './filter.js';
export { deliveryId, DELIVERY_ID } from './deliveryId.js';
export { noticeCommand, rejectCommand, shellWord } from './command.js';
export { noticeWording, oneLine, type NoticeWording } from './wording.js';
export { slackBody, webhookBody, type SlackBody, type WebhookBody } from './bodies.js';
