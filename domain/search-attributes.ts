import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Lets an operator find every workflow of one business in the Temporal UI: `BusinessId = "…"`. */
export const BusinessIdAttribute = defineSearchAttributeKey('BusinessId', SearchAttributeType.KEYWORD);
export const ConnectionIdAttribute = defineSearchAttributeKey('ConnectionId', SearchAttributeType.KEYWORD);
export const ProviderAttribute = defineSearchAttributeKey('Provider', SearchAttributeType.KEYWORD);

export const switchboardSearchAttributes = [BusinessIdAttribute, ConnectionIdAttribute, ProviderAttribute];
