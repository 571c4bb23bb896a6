// Model → profile.proto (gzipped), with pprof-format's encoder, so what the TUI exports opens
// in `go tool pprof` (a diff is written as the two profiles, for `-base`).

import pako from 'pako';
import { Function as PbFunction, Label, Line as PbLine, Location as PbLocation, Mapping as PbMapping, Profile as PbProfile, Sample as PbSample, StringTable, ValueType as PbValueType } from 'pprof-format';
import type { Profile } from './model.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * int64 for pprof-format: negative values must go as BigInt so they encode as 10-byte varints.
 * Clamped to int64: the int64 maximum decodes to the double 2^63, which would wrap to -2^63.
 */
function int64(v: number): number | bigint {
  if (v >= 0 && Number.isSafeInteger(v)) return v;
  const b = BigInt(Math.trunc(v));
  return BigInt.asUintN(64, b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b);
}

export function encodeProfile(p: Profile): Uint8Array {
  const st = new StringTable();
  const s = (x: string) => st.dedup(x);
  const mappingIds = new Map(p.mappings.map((m) => [m, m.index + 1]));
  const functionIds = new Map(p.functions.map((f) => [f, f.index + 1]));
  const pb = new PbProfile({
    sampleType: p.sampleTypes.map((t) => new PbValueType({ type: s(t.type), unit: s(t.unit) })),
    mapping: p.mappings.map(
      (m) =>
        new PbMapping({
          id: m.index + 1,
          memoryStart: m.start,
          memoryLimit: m.limit,
          fileOffset: m.offset,
          filename: s(m.file),
          buildId: s(m.buildId),
          hasFunctions: m.hasFunctions,
        }),
    ),
    function: p.functions.map(
      (f) => new PbFunction({ id: f.index + 1, name: s(f.name), systemName: s(f.systemName), filename: s(f.filename), startLine: int64(f.startLine) }),
    ),
    location: p.locations.map(
      (l) =>
        new PbLocation({
          id: l.index + 1,
          mappingId: l.mapping ? mappingIds.get(l.mapping)! : 0,
          address: l.address,
          line: l.lines.map((ln) => new PbLine({ functionId: ln.fn ? functionIds.get(ln.fn)! : 0, line: int64(ln.line) })),
          isFolded: l.isFolded,
        }),
    ),
    sample: [],
    stringTable: st,
    timeNanos: int64(p.timeNanos),
    durationNanos: int64(p.durationNanos),
    period: int64(p.period),
    ...(p.periodType ? { periodType: new PbValueType({ type: s(p.periodType.type), unit: s(p.periodType.unit) }) } : {}),
    comment: p.comments.map(s),
    docUrl: p.docUrl ? s(p.docUrl) : 0,
    defaultSampleType: p.defaultSampleType ? s(p.defaultSampleType) : 0,
    dropFrames: p.dropFrames ? s(p.dropFrames) : 0,
    keepFrames: p.keepFrames ? s(p.keepFrames) : 0,
  });
  const { count, nTypes, values, stackStart, locIndex, labelIndex, labelSets } = p.samples;
  for (let i = 0; i < count; i++) {
    const labels: Label[] = [];
    const set = labelIndex ? labelSets[labelIndex[i]!] : undefined;
    if (set?.labels) for (const [k, vs] of Object.entries(set.labels)) for (const v of vs) labels.push(new Label({ key: s(k), str: s(v) }));
    if (set?.numLabels) {
      for (const [k, vs] of Object.entries(set.numLabels)) {
        vs.forEach((v, j) => {
          const unit = set.numUnits?.[k]?.[j];
          labels.push(new Label({ key: s(k), num: int64(v), ...(unit ? { numUnit: s(unit) } : {}) }));
        });
      }
    }
    const locationId: number[] = [];
    for (let k = stackStart[i]!; k < stackStart[i + 1]!; k++) locationId.push(locIndex[k]! + 1);
    const value: Array<number | bigint> = [];
    for (let t = 0; t < nTypes; t++) value.push(int64(values[i * nTypes + t]!));
    pb.sample.push(new PbSample({ locationId, value, label: labels }));
  }
  return pako.gzip(pb.encode());
}
