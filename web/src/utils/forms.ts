// Small helpers for dialogs that send JSON and show server field errors.

/** Drops empty strings, null and undefined (optional fields are left out of the body). */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === '' || v === null || v === undefined) continue
    ;(out as Record<string, unknown>)[k] = v
  }
  return out
}

/** Only the fields that differ from the original (for PATCH bodies). */
export function changed<T extends Record<string, unknown>>(original: Partial<T>, edited: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(edited)) {
    const o = original[k as keyof T] ?? ''
    if ((v ?? '') !== o) (out as Record<string, unknown>)[k] = v === '' ? null : v
  }
  return out
}

/** Required-field check: the keys of `o` listed in `keys` that are empty. */
export function missing(o: Record<string, unknown>, keys: string[]): string[] {
  return keys.filter((k) => o[k] === '' || o[k] === null || o[k] === undefined)
}
