/**
 * One copy of each goal name and currency code: every record of a file repeats the same few, and each record's own
 * copy would otherwise wait in its batch with it. Bounded, so arbitrary text cannot grow it without limit.
 */

const interned = new Map<string, string>()
const INTERN_LIMIT = 4096
/** The one copy of `text` (itself, once the cache is full). */
export const intern = (text: string): string => {
  const known = interned.get(text)
  if (known !== undefined) return known
  if (interned.size < INTERN_LIMIT) interned.set(text, text)
  return text
}
