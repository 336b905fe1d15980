/**
 * What a committed history holds, read from its JSON events: the patch
 * markers it recorded, the activities it scheduled, the workflow type it
 * starts (see test/replay/README.md).
 */
import { readHistoryJson } from './historyFile.js';

/** The ids of a history's patch markers (in each marker's `patch-data` payload, JSON in base64). */
export function patchIds(file: string): string[] {
  return readHistoryJson(file)
    .events.filter((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED')
    .flatMap((e) => {
      const attrs = e.markerRecordedEventAttributes as
        { details?: Record<string, { payloads?: Array<{ data?: string }> }> } | undefined;
      const data = attrs?.details?.['patch-data']?.payloads?.[0]?.data;
      return data === undefined
        ? []
        : [(JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id];
    });
}

/** The activity types a history scheduled. */
export function activityTypes(file: string): string[] {
  return readHistoryJson(file).events.flatMap((e) => {
    const attrs = e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } } | undefined;
    return attrs?.activityType?.name === undefined ? [] : [attrs.activityType.name];
  });
}

export function startedType(events: Array<Record<string, unknown>>): string | undefined {
  const attrs = events[0]?.workflowExecutionStartedEventAttributes as
    { workflowType?: { name?: string } } | undefined;
  return attrs?.workflowType?.name;
}
