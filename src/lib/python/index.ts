/** Python-compatible behaviour Prefect's answers depend on: repr, json, version comparison. */
export { parsePythonJson, pyDumps, pyJsonString, toPlain } from "./json";
export { pyFloatRepr, pyRepr, pyStrRepr } from "./repr";
export { pyFormat, PyFormatError, PyText } from "./str-format";
export { pythonRegex } from "./regex";
export { isDict, PyBigInt, PyFloat, type PyValue } from "./values";
export { versionAtLeast } from "./version";
