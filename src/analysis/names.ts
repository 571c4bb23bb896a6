// Fitting long Go names into narrow columns: cut from the left so the function name — the
// part people read — survives (`…/internal/cache.(*LRU).Add`).

export function fitLeft(name: string, width: number): string {
  if (width <= 0) return '';
  if (name.length <= width) return name;
  if (width === 1) return '…';
  return '…' + name.slice(name.length - width + 1);
}

/**
 * Fits a node name that may carry a detail after its function — pprof's lines granularity
 * ("main.f /src/x.go:12"), a goroutine's labels — keeping the function whole: the detail is
 * cut from the left first (the file name and line survive), the function only when it alone
 * is too wide.
 */
export function fitName(name: string, width: number): string {
  if (name.length <= width) return name;
  const sp = name.indexOf(' ');
  if (sp <= 0) return fitLeft(name, width);
  const fn = name.slice(0, sp);
  const room = width - fn.length - 1;
  if (room < 4) return fitLeft(fn, width);
  return `${fn} ${fitLeft(name.slice(sp + 1), room)}`;
}

export function fitRight(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return text.slice(0, width - 1) + '…';
}

/** Pads or cuts to exactly `width` columns. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = align === 'left' ? fitRight(text, width) : fitLeft(text, width);
  return align === 'left' ? t.padEnd(width) : t.padStart(width);
}
