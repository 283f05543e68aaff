/** PEP 440-ish comparison, enough for Prefect's client versions ("3.4.11", "3.0.0rc20", "3.8.3.dev1"). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string) => {
    const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(v.trim());
    if (!m) return { nums: [0], pre: true };
    return { nums: m[1].split(".").map(Number), pre: /^(a|b|rc|\.?dev)/i.test(m[2]) };
  };
  const a = parse(version);
  const b = parse(minimum);
  for (let i = 0; i < Math.max(a.nums.length, b.nums.length); i++) {
    const d = (a.nums[i] ?? 0) - (b.nums[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return !a.pre || b.pre;
}
