/** The publication timeline of one key, as stored. */
export interface KeyTimeline {
  kid: string;
  createdAt: Date;
  activatesAt: Date;
  revokedAt: Date | null;
}

/**
 * Which key signs and which keys are published, as pure functions of the
 * stored keys and the clock, so that every process on one database agrees
 * without talking to the others.
 *
 * - A key is published from `createdAt` (rotation creates it `lead` seconds
 *   before `activatesAt`, so verifiers' caches hold it before it signs).
 * - The signing key is the one with the latest `activatesAt` not in the future
 *   (ties: the greater kid).
 * - A key stops signing when a newer one activates, and stays published for
 *   `retention` more seconds: the access-token lifetime plus clock skew, so
 *   every token it signed can still be verified.
 * - A revoked key neither signs nor is published, and it still counts as the
 *   successor of the keys before it: revoking the signer never brings an older,
 *   retired key back (the key ring puts a replacement in place first).
 */
export function signingKeyAt<K extends KeyTimeline>(keys: K[], now: Date): K | undefined {
  const latest = byActivation(keys)
    .filter((key) => key.activatesAt <= now)
    .pop();
  return latest && latest.revokedAt === null ? latest : undefined;
}

export function publishedKeysAt<K extends KeyTimeline>(
  keys: K[],
  now: Date,
  retentionSeconds: number,
): K[] {
  const ordered = byActivation(keys);
  return ordered.filter((key, index) => {
    if (key.revokedAt !== null || key.createdAt > now) return false;
    const successor = ordered.slice(index + 1).find((next) => next.activatesAt <= now);
    return !successor || now.getTime() < successor.activatesAt.getTime() + retentionSeconds * 1000;
  });
}

/**
 * Keys in activation order (ties: by kid), including revoked keys that did
 * activate before their revocation; a key revoked while pending never existed
 * as far as the timeline is concerned.
 */
function byActivation<K extends KeyTimeline>(keys: K[]): K[] {
  return keys
    .filter((key) => key.revokedAt === null || key.revokedAt >= key.activatesAt)
    .sort(
      (a, b) => a.activatesAt.getTime() - b.activatesAt.getTime() || a.kid.localeCompare(b.kid),
    );
}
