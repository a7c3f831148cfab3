const QUANTITY = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const FACTOR: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** True for a Kubernetes resource quantity (`500m`, `128Mi`, `0.5`), as daprd and the injector read them. */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text.trim());
}

/**
 * A Kubernetes quantity used as a size in bytes (`4Mi`, `16M`, `4096`), as daprd reads `--max-body-size`
 * and `--read-buffer-size`; fractions of a byte round up. Undefined when the text is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m || m[2] === 'm') return undefined;
  return Math.ceil(Number(m[1]) * FACTOR[m[2] ?? '']!);
}
