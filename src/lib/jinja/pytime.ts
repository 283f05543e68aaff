/** Python's datetime.datetime and datetime.timedelta, as templates print and compare them. */
import { typeError, valueError } from "./errors";
import { MISSING, mkFloat, num, PyCallable, PyObject, pyStr, isNumber, isStr } from "./values";

const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, "0");
const DAY_US = 86_400_000_000;

export class PyTimedelta extends PyObject {
  readonly pyClass = "timedelta";
  override readonly pyModule = "datetime";
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;

  /** A duration of `totalMicros` microseconds (normalized as Python does: 0 <= seconds < 86400). */
  constructor(readonly totalMicros: number) {
    super();
    const days = Math.floor(totalMicros / DAY_US);
    const rest = totalMicros - days * DAY_US;
    this.days = days;
    this.seconds = Math.floor(rest / 1e6);
    this.microseconds = Math.round(rest - this.seconds * 1e6);
  }

  static fromSeconds(seconds: number): PyTimedelta {
    return new PyTimedelta(Math.round(seconds * 1e6));
  }

  getAttr(name: string): unknown {
    if (name === "days") return this.days;
    if (name === "seconds") return this.seconds;
    if (name === "microseconds") return this.microseconds;
    if (name === "total_seconds") return new PyCallable("total_seconds", () => mkFloat(this.totalMicros / 1e6), "datetime.timedelta");
    return MISSING;
  }

  str(): string {
    const h = Math.floor(this.seconds / 3600);
    const m = Math.floor((this.seconds % 3600) / 60);
    const s = this.seconds % 60;
    let out = `${h}:${pad(m)}:${pad(s)}`;
    if (this.microseconds) out += `.${pad(this.microseconds, 6)}`;
    if (this.days) out = `${this.days} day${Math.abs(this.days) === 1 ? "" : "s"}, ${out}`;
    return out;
  }

  override repr(): string {
    const parts: string[] = [];
    if (this.days) parts.push(`days=${this.days}`);
    if (this.seconds) parts.push(`seconds=${this.seconds}`);
    if (this.microseconds) parts.push(`microseconds=${this.microseconds}`);
    return `datetime.timedelta(${parts.join(", ") || "0"})`;
  }

  override truthy(): boolean {
    return this.totalMicros !== 0;
  }

  override equals(other: unknown): boolean {
    return other instanceof PyTimedelta && other.totalMicros === this.totalMicros;
  }

  override lessThan(other: unknown): boolean | undefined {
    return other instanceof PyTimedelta ? this.totalMicros < other.totalMicros : undefined;
  }

  override toJson(): unknown {
    throw typeError("Object of type timedelta is not JSON serializable");
  }

  /** pydantic's JSON form: an ISO 8601 duration. */
  isoDuration(): string {
    let micros = Math.abs(this.totalMicros);
    const sign = this.totalMicros < 0 ? "-" : "";
    const days = Math.floor(micros / DAY_US);
    micros -= days * DAY_US;
    const h = Math.floor(micros / 3.6e9);
    micros -= h * 3.6e9;
    const m = Math.floor(micros / 6e7);
    micros -= m * 6e7;
    const s = micros / 1e6;
    let out = `${sign}P${days ? `${days}D` : ""}`;
    const time = `${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || (!days && !h && !m) ? `${s}S` : ""}`;
    if (time) out += `T${time}`;
    return out;
  }

  override arith(op: string, other: unknown, reflected: boolean): unknown {
    if (other instanceof PyTimedelta) {
      if (op === "add") return new PyTimedelta(this.totalMicros + other.totalMicros);
      if (op === "sub") return new PyTimedelta(reflected ? other.totalMicros - this.totalMicros : this.totalMicros - other.totalMicros);
      if (op === "div" && !reflected) return mkFloat(this.totalMicros / other.totalMicros);
    }
    if (isNumber(other) && op === "mul") return new PyTimedelta(Math.round(this.totalMicros * num(other)));
    if (isNumber(other) && op === "div" && !reflected) return new PyTimedelta(Math.round(this.totalMicros / num(other)));
    return MISSING;
  }
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** An aware (offset in minutes) or naive (offset null) datetime, to the microsecond. */
export class PyDateTime extends PyObject {
  readonly pyClass: string = "datetime";
  override readonly pyModule: string = "datetime";

  /** `epochMicros`: the wall time read as UTC, in microseconds since 1970 (the instant when offset is 0). */
  constructor(
    readonly wallMicros: number,
    readonly offsetMinutes: number | null,
  ) {
    super();
  }

  /** An ISO 8601 text as Prefect's models read it (naive texts as UTC, as Prefect's DateTime does). */
  static parse(text: string, naiveAsUtc = true): PyDateTime {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
    if (!m) throw valueError(`Invalid isoformat string: '${text}'`);
    const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz] = m;
    const micros = Number((frac + "000000").slice(0, 6));
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) * 1000 + micros;
    let offset: number | null = null;
    if (tz) {
      if (tz.toUpperCase() === "Z") offset = 0;
      else {
        const sign = tz[0] === "-" ? -1 : 1;
        const digits = tz.slice(1).replace(":", "");
        offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
      }
    } else if (naiveAsUtc) offset = 0;
    return new PyDateTime(wall, offset);
  }

  static fromDate(date: Date): PyDateTime {
    return new PyDateTime(date.getTime() * 1000, 0);
  }

  /** The instant, in microseconds since the epoch (naive values read as UTC). */
  get epochMicros(): number {
    return this.wallMicros - (this.offsetMinutes ?? 0) * 60_000_000;
  }

  private parts() {
    const ms = Math.floor(this.wallMicros / 1000);
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      microsecond: this.wallMicros - Math.floor(this.wallMicros / 1e6) * 1e6,
      weekday: (d.getUTCDay() + 6) % 7,
      yday: Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
    };
  }

  private offsetText(sep: string): string {
    if (this.offsetMinutes === null) return "";
    const sign = this.offsetMinutes < 0 ? "-" : "+";
    const abs = Math.abs(this.offsetMinutes);
    return `${sign}${pad(Math.floor(abs / 60))}${sep}${pad(abs % 60)}`;
  }

  isoformat(sep = "T"): string {
    const p = this.parts();
    let out = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${sep}${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
    if (p.microsecond) out += `.${pad(p.microsecond, 6)}`;
    return out + this.offsetText(":");
  }

  strftime(fmt: string): string {
    const p = this.parts();
    return fmt.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
      switch (c) {
        case "Y":
          return String(p.year);
        case "y":
          return pad(p.year % 100);
        case "m":
          return pad(p.month);
        case "d":
          return pad(p.day);
        case "e":
          return String(p.day).padStart(2, " ");
        case "H":
          return pad(p.hour);
        case "I":
          return pad(p.hour % 12 || 12);
        case "M":
          return pad(p.minute);
        case "S":
          return pad(p.second);
        case "f":
          return pad(p.microsecond, 6);
        case "p":
          return p.hour < 12 ? "AM" : "PM";
        case "b":
        case "h":
          return MONTHS[p.month - 1].slice(0, 3);
        case "B":
          return MONTHS[p.month - 1];
        case "a":
          return WEEKDAYS[p.weekday].slice(0, 3);
        case "A":
          return WEEKDAYS[p.weekday];
        case "w":
          return String((p.weekday + 1) % 7);
        case "j":
          return pad(p.yday, 3);
        case "z":
          return this.offsetText("");
        case "Z":
          return this.offsetMinutes === null ? "" : this.offsetMinutes === 0 ? "UTC" : `UTC${this.offsetText(":")}`;
        case "F":
          return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
        case "T":
          return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
        case "%":
          return "%";
      }
      return whole;
    });
  }

  getAttr(name: string): unknown {
    const p = this.parts();
    switch (name) {
      case "year":
      case "month":
      case "day":
      case "hour":
      case "minute":
      case "second":
      case "microsecond":
        return p[name];
      case "isoformat":
        return new PyCallable("isoformat", (args, kwargs) => this.isoformat(args.length ? pyStr(args[0]) : kwargs.sep !== undefined ? pyStr(kwargs.sep) : "T"), "datetime.datetime");
      case "strftime":
        return new PyCallable("strftime", (args) => {
          if (!isStr(args[0])) throw typeError("strftime() argument 1 must be str");
          return this.strftime(pyStr(args[0]));
        }, "datetime.datetime");
      case "timestamp":
        return new PyCallable("timestamp", () => mkFloat(this.epochMicros / 1e6), "datetime.datetime");
      case "weekday":
        return new PyCallable("weekday", () => p.weekday, "datetime.datetime");
      case "isoweekday":
        return new PyCallable("isoweekday", () => p.weekday + 1, "datetime.datetime");
    }
    return MISSING;
  }

  str(): string {
    return this.isoformat(" ");
  }

  override repr(): string {
    const p = this.parts();
    const us = p.microsecond ? `, ${p.microsecond}` : "";
    const tz = this.offsetMinutes === null ? "" : this.offsetMinutes === 0 ? ", tzinfo=datetime.timezone.utc" : `, tzinfo=datetime.timezone(datetime.timedelta(seconds=${this.offsetMinutes * 60}))`;
    return `datetime.datetime(${p.year}, ${p.month}, ${p.day}, ${p.hour}, ${p.minute}${p.second || us ? `, ${p.second}` : ""}${us}${tz})`;
  }

  override equals(other: unknown): boolean {
    return other instanceof PyDateTime && (other.offsetMinutes === null) === (this.offsetMinutes === null) && other.epochMicros === this.epochMicros;
  }

  override lessThan(other: unknown): boolean | undefined {
    if (!(other instanceof PyDateTime)) return undefined;
    if ((other.offsetMinutes === null) !== (this.offsetMinutes === null)) throw typeError("can't compare offset-naive and offset-aware datetimes");
    return this.epochMicros < other.epochMicros;
  }

  override toJson(): unknown {
    throw typeError(`Object of type ${this.pyClass} is not JSON serializable`);
  }

  /** pydantic's JSON form: ISO 8601 with `T`, `Z` for UTC. */
  isoJson(): string {
    return this.isoformat("T").replace(/\+00:00$/, "Z");
  }

  override arith(op: string, other: unknown, reflected: boolean): unknown {
    if (other instanceof PyTimedelta) {
      if (op === "add") return new PyDateTime(this.wallMicros + other.totalMicros, this.offsetMinutes);
      if (op === "sub" && !reflected) return new PyDateTime(this.wallMicros - other.totalMicros, this.offsetMinutes);
    }
    if (other instanceof PyDateTime && op === "sub") {
      if ((other.offsetMinutes === null) !== (this.offsetMinutes === null)) throw typeError("can't subtract offset-naive and offset-aware datetimes");
      return new PyTimedelta(reflected ? other.epochMicros - this.epochMicros : this.epochMicros - other.epochMicros);
    }
    return MISSING;
  }
}
