// Value scaling and number formatting that reproduce `go tool pprof` byte for byte
// (google/pprof internal/measurement, as vendored in Go 1.19, and Go's fmt rounding).

interface Unit {
  name: string;
  aliases: string[];
  factor: number;
}

interface UnitType {
  defaultUnit: Unit;
  units: Unit[];
}

const UNIT_TYPES: UnitType[] = [
  {
    units: [
      { name: 'B', aliases: ['b', 'byte'], factor: 1 },
      { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
      { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
      { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
      { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
      { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
    ],
    defaultUnit: { name: 'B', aliases: ['b', 'byte'], factor: 1 },
  },
  {
    units: [
      { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
      { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
      { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
      { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
      { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
    ],
    defaultUnit: { name: 's', aliases: [], factor: 1e9 },
  },
  {
    units: [
      { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
      { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
      { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
      { name: 'GCU', aliases: ['gcu'], factor: 1 },
      { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
      { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
      { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
      { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
      { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
    ],
    defaultUnit: { name: 'GCU', aliases: [], factor: 1 },
  },
];

function sniffUnit(type: UnitType, unit: string): Unit | undefined {
  let u = unit.toLowerCase();
  // Go's len() counts bytes: "μs" is 3 long there, loses its "s", and is not recognised.
  if (Buffer.byteLength(u, 'utf8') > 2 && u.endsWith('s')) u = u.slice(0, -1);
  return type.units.find((x) => x.aliases.includes(u));
}

function autoScale(type: UnitType, value: number): [number, string] | undefined {
  let factor = 0;
  let name = '';
  for (const u of type.units) {
    if (u.factor >= factor && value / u.factor >= 1) {
      factor = u.factor;
      name = u.name;
    }
  }
  return factor === 0 ? undefined : [value / factor, name];
}

function convertUnit(type: UnitType, value: number, from: string, to: string): [number, string] | undefined {
  const fromUnit = sniffUnit(type, from);
  if (!fromUnit) return undefined;
  const v = value * fromUnit.factor;
  if (to === 'minimum' || to === 'auto') {
    return autoScale(type, v) ?? [v / type.defaultUnit.factor, type.defaultUnit.name];
  }
  const toUnit = sniffUnit(type, to);
  if (!toUnit) return [v / type.defaultUnit.factor, type.defaultUnit.name];
  return [v / toUnit.factor, toUnit.name];
}

/** Scales a value from one unit to another ('minimum'/'auto' pick the best fit); the unit is '' when uninteresting (counts). */
export function scale(value: number, from: string, to: string): [number, string] {
  if (value < 0) {
    const [v, u] = scale(-value, from, to);
    return [-v, u];
  }
  for (const type of UNIT_TYPES) {
    const r = convertUnit(type, value, from, to);
    if (r) return r;
  }
  switch (to) {
    case 'count':
    case 'sample':
    case 'unit':
    case 'minimum':
    case 'auto':
      return [value, ''];
    default:
      return [value, to];
  }
}

/** True when `unit` names a unit pprof knows how to scale (bytes, time, GCU). */
export function isKnownUnit(unit: string): boolean {
  return UNIT_TYPES.some((t) => sniffUnit(t, unit) !== undefined);
}

/** pprof's ScaledLabel: "%.2f" with a trailing ".00" dropped, plus the unit. */
export function scaledLabel(value: number, from: string, to: string): string {
  const [v, u] = scale(value, from, to);
  const sv = formatFixed(v, 2).replace(/\.00$/, '');
  if (sv === '0' || sv === '-0') return '0';
  return sv + u;
}

/** pprof's measurement.Label: auto-scaled. */
export function autoLabel(value: number, unit: string): string {
  return scaledLabel(value, unit, 'auto');
}

/** pprof's Percentage: "%5.2f%%" from 1%, "%5.2g%%" below, "  100%" around 100. */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1) return formatFixed(ratio, 2).padStart(5) + '%';
  return formatG(ratio, 2).padStart(5) + '%';
}

// ---- Go fmt-compatible float formatting -------------------------------------------------
// JS toFixed rounds exact ties away from zero; Go rounds them to even. Everything else
// (both are exact decimal conversions of the double) agrees, so only ties need care.

/** Go's fmt "%.<prec>f". */
export function formatFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const neg = x < 0 || Object.is(x, -0);
  const digits = exactDecimal(Math.abs(x));
  roundDecimal(digits, digits.dp + prec);
  return (neg ? '-' : '') + fmtF(digits, prec);
}

/** Go's fmt "%.<prec>g" (precision ≥ 1). */
export function formatG(x: number, prec: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const neg = x < 0 || Object.is(x, -0);
  const d = exactDecimal(Math.abs(x));
  roundDecimal(d, prec);
  trimZeros(d);
  let eprec = prec;
  if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
  const exp = d.dp - 1;
  const sign = neg ? '-' : '';
  if (d.d.length === 0) return sign + '0';
  if (exp < -4 || exp >= eprec) {
    const p = Math.min(prec, d.d.length);
    return sign + fmtE(d, p - 1);
  }
  const p = prec > d.dp ? d.d.length : prec;
  return sign + fmtF(d, Math.max(p - d.dp, 0));
}

/** A decimal number 0.d1d2d3… × 10^dp, as Go's strconv represents it. */
interface Decimal {
  d: string;
  dp: number;
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  let exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) exp = 1;
  else mant |= 1n << 52n;
  const e = exp - 1075; // x = mant × 2^e
  let digits: string;
  let frac: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    frac = 0;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    frac = -e;
  }
  const d: Decimal = { d: digits, dp: digits.length - frac };
  trimZeros(d);
  return d;
}

function trimZeros(d: Decimal): void {
  let n = d.d.length;
  while (n > 0 && d.d.charCodeAt(n - 1) === 48) n--;
  d.d = d.d.slice(0, n);
  if (n === 0) d.dp = 0;
}

/** Go's decimal.Round(nd): keep nd digits, ties to even. */
function roundDecimal(a: Decimal, nd: number): void {
  if (nd < 0 || nd >= a.d.length) return;
  if (shouldRoundUp(a, nd)) {
    for (let i = nd - 1; i >= 0; i--) {
      const c = a.d.charCodeAt(i);
      if (c < 57) {
        a.d = a.d.slice(0, i) + String.fromCharCode(c + 1);
        return;
      }
    }
    a.d = '1';
    a.dp++;
  } else {
    a.d = a.d.slice(0, nd);
    trimZeros(a);
  }
}

function shouldRoundUp(a: Decimal, nd: number): boolean {
  const c = a.d.charCodeAt(nd);
  if (c === 53 && nd + 1 === a.d.length) {
    // Exactly halfway: round to even.
    return nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  }
  return c >= 53;
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.d.length ? d.d[i]! : '0';
}

function fmtF(d: Decimal, prec: number): string {
  let out = '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  } else {
    out = '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, d.dp + i - 1);
  }
  return out;
}

function fmtE(d: Decimal, prec: number): string {
  let out = d.d.length === 0 ? '0' : d.d[0]!;
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return out + 'e' + sign + (abs < 10 ? '0' + abs : String(abs));
}
