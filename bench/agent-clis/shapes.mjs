// Checks agent-msg's hook output against the hook output shapes a CLI ships: Codex's JSON
// schemas, embedded in its binary (`<event>.command.output`), and Claude Code's and Gemini CLI's
// field names as their bundles read them. Prints one "PASS|FAIL <what>" line per check.
// Usage: node shapes.mjs codex <codex binary> <hook output file per event: Event=path ...>
//        node shapes.mjs strings <file> <label> <needle>...   (each needle must occur in file)
import fs from "node:fs";

const [mode, file, ...rest] = process.argv.slice(2);
let failed = false;
const report = (ok, what) => {
  console.log((ok ? "PASS " : "FAIL ") + what);
  if (!ok) failed = true;
};

/** Every draft-07 schema in a binary, by title. */
function schemas(path) {
  const text = fs.readFileSync(path).toString("latin1");
  const marker = '{\n  "$schema": "http://json-schema.org/draft-07/schema#"';
  const found = {};
  for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
    let depth = 0, inString = false, escaped = false, j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    try {
      const schema = JSON.parse(text.slice(i, j + 1));
      if (schema.title) found[schema.title] = schema;
    } catch {}
  }
  return found;
}

/** The part of draft-07 these schemas use: type, const, enum, required, properties, $ref, allOf. */
function validate(schema, value, root, path, errors) {
  if (schema === true) return;
  if (schema.$ref) {
    const target = schema.$ref.replace("#/definitions/", "");
    return validate(root.definitions[target], value, root, path, errors);
  }
  for (const part of schema.allOf ?? []) validate(part, value, root, path, errors);
  const types = [].concat(schema.type ?? []);
  const typeOf = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (types.length && !types.includes(typeOf) && !(types.includes("integer") && Number.isInteger(value)))
    errors.push(`${path}: ${typeOf} is not ${types.join("|")}`);
  if ("const" in schema && value !== schema.const) errors.push(`${path}: not ${schema.const}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: not one of ${schema.enum}`);
  if (typeOf === "object") {
    for (const key of schema.required ?? [])
      if (!(key in value)) errors.push(`${path}: missing ${key}`);
    for (const [key, item] of Object.entries(value)) {
      if (schema.properties && key in schema.properties)
        validate(schema.properties[key], item, root, `${path}.${key}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${path}: unknown key ${key}`);
    }
  }
}

if (mode === "codex") {
  const all = schemas(file);
  report(Object.keys(all).length > 10, `codex ships its hook schemas (${Object.keys(all).length} found)`);
  for (const pair of rest) {
    const [event, output] = pair.split("=");
    const title = event.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase() + ".command.output";
    const schema = all[title];
    if (!schema) {
      report(false, `codex has no schema ${title}`);
      continue;
    }
    const text = fs.readFileSync(output, "utf8").trim();
    const errors = [];
    validate(schema, JSON.parse(text), schema, "$", errors);
    report(errors.length === 0, `our ${event} output matches codex's ${title}` +
      (errors.length ? ": " + errors.join("; ") : ""));
  }
} else if (mode === "strings") {
  const text = fs.readFileSync(file).toString("latin1");
  const [label, ...needles] = rest;
  const missing = needles.filter((needle) => !text.includes(needle));
  report(missing.length === 0, `${label}` + (missing.length ? ": missing " + missing.join(", ") : ""));
}
process.exit(failed ? 1 : 0);
