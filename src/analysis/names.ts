// Fitting long Go names into narrow columns: cut from the left so the function name — the
// part people read — survives (`…/internal/cache.(*LRU).Add`).

export function fitLeft(name: string, width: number): string {
  if (width <= 0) return '';
  if (name.length <= width) return name;
  if (width === 1) return '…';
  return '…' + name.slice(name.length - width + 1);
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
