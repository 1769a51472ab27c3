//! The tools' schemas as `tools/list` sends them: small, because agents pay
//! for every byte of it, and true, because clients (Claude Code, MCP
//! Inspector) check every result against its tool's output schema and turn
//! a mismatch into an error.

use serde_json::{Map, Value, json};

/// How many `$ref`s a property may go through to reach its definition (the
/// views' own schemas use one).
const MAX_REFS: usize = 8;

/// A view's output schema cut to its top level: each field with its JSON
/// type (`object` for a nested view, `array` for a list, a string enum's
/// values, `null` among the types of a field that may be null), and the
/// two shapes a result takes: the view (it has the view's first field) or a
/// failed call's `{error, code, hint}` (it has `error` and `code`). The
/// full schemas, with every nested view and field description, are
/// `git_tasklist::view::schemas()` and the README.
pub fn output(schema: &Map<String, Value>) -> Map<String, Value> {
    let defs = schema.get("$defs").and_then(Value::as_object);
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    // A flattened view's fields sit in `allOf` parts or behind a `$ref`.
    let mut parts: Vec<&Map<String, Value>> = vec![schema];
    while let Some(part) = parts.pop() {
        if let Some(props) = part.get("properties").and_then(Value::as_object) {
            for (name, v) in props {
                properties.insert(name.clone(), Value::Object(field(v, defs)));
            }
        }
        if let Some(r) = part.get("required").and_then(Value::as_array) {
            required.extend(r.iter().cloned());
        }
        for sub in part.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let Some(m) = resolve(sub, defs).as_object() {
                parts.push(m);
            }
        }
    }
    // The view's first field tells a result from a failure, which has none
    // of the view's fields; requiring every field would cost a tenth of
    // `tools/list` and check nothing a client relies on.
    required.truncate(1);
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    out.insert(
        "anyOf".into(),
        json!([{ "required": required }, { "required": ["error", "code"] }]),
    );
    out
}

/// The definition `v` refers to (through `$ref`s), or `v` itself.
fn resolve<'a>(mut v: &'a Value, defs: Option<&'a Map<String, Value>>) -> &'a Value {
    for _ in 0..MAX_REFS {
        let target = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| defs?.get(name));
        match target {
            Some(t) => v = t,
            None => break,
        }
    }
    v
}

/// One field's compact schema: its types, and its values when it is an enum.
fn field(v: &Value, defs: Option<&Map<String, Value>>) -> Map<String, Value> {
    let (types, values) = kinds(v, defs, 0);
    let mut out = Map::new();
    match types.as_slice() {
        [] => {}
        [one] => {
            out.insert("type".into(), json!(one));
        }
        many => {
            out.insert("type".into(), json!(many));
        }
    }
    if let Some(values) = values {
        out.insert("enum".into(), Value::Array(values));
    }
    out
}

/// The JSON types `v` allows (none: any), and every value it allows when it
/// allows only some (an enum; `null` included when it may be null).
fn kinds(
    v: &Value,
    defs: Option<&Map<String, Value>>,
    depth: usize,
) -> (Vec<String>, Option<Vec<Value>>) {
    let v = resolve(v, defs);
    let options = v.get("anyOf").or_else(|| v.get("oneOf")).and_then(Value::as_array);
    if let Some(options) = options.filter(|_| depth < MAX_REFS) {
        let mut types: Vec<String> = Vec::new();
        let mut values: Option<Vec<Value>> = Some(Vec::new());
        for o in options {
            let (t, vals) = kinds(o, defs, depth + 1);
            if t.is_empty() {
                // One option allows anything: so does the field.
                return (Vec::new(), None);
            }
            for t in t {
                if !types.contains(&t) {
                    types.push(t);
                }
            }
            values = match (values, vals) {
                (Some(mut all), Some(more)) => {
                    all.extend(more);
                    Some(all)
                }
                _ => None,
            };
        }
        return (types, values);
    }
    let mut types: Vec<String> = match v.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ if v.get("properties").is_some() => vec!["object".into()],
        _ => Vec::new(),
    };
    let mut values = match (v.get("enum"), v.get("const")) {
        (Some(Value::Array(e)), _) => Some(e.clone()),
        (_, Some(c)) => Some(vec![c.clone()]),
        _ => None,
    };
    if types.is_empty()
        && let Some(vals) = &values
    {
        for val in vals {
            let t = match val {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            if !types.iter().any(|x| x == t) {
                types.push(t.into());
            }
        }
    }
    if types.iter().any(|t| t == "null")
        && let Some(vals) = values.as_mut()
        && !vals.contains(&Value::Null)
    {
        vals.push(Value::Null);
    }
    if v.get("type") == Some(&json!("null")) {
        values = Some(vec![Value::Null]);
    }
    (types, values)
}

/// Removes each parameter's empty default (null, false, "", []): an
/// optional parameter is one not `required`, and its empty default says
/// nothing more.
pub fn drop_empty_defaults(schema: &mut Map<String, Value>) {
    let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for p in props.values_mut().filter_map(|p| p.as_object_mut()) {
        let empty = p.get("default").is_some_and(|d| {
            d.is_null()
                || d == false
                || d.as_str() == Some("")
                || d.as_array().is_some_and(Vec::is_empty)
        });
        if empty {
            p.remove("default");
        }
    }
}

/// An input schema as listed: without `$schema`, `title` and empty
/// defaults, and its nested definitions without their descriptions (the
/// parameters' own descriptions say it).
pub fn input(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut input = schema.clone();
    input.remove("$schema");
    input.remove("title");
    drop_empty_defaults(&mut input);
    let defs = input.get_mut("$defs").and_then(|d| d.as_object_mut());
    for def in defs.into_iter().flat_map(|d| d.values_mut()) {
        if let Some(def) = def.as_object_mut() {
            def.remove("description");
            drop_empty_defaults(def);
        }
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ref_to_a_string_enum_is_a_string_enum_and_may_be_null() {
        let schema = json!({
            "type": "object",
            "properties": {
                "state": { "$ref": "#/$defs/State" },
                "maybe": { "anyOf": [{ "$ref": "#/$defs/State" }, { "type": "null" }] },
                "view": { "$ref": "#/$defs/View" },
                "views": { "type": "array", "items": { "$ref": "#/$defs/View" } },
                "n": { "type": "integer", "format": "uint" },
                "text": { "type": ["string", "null"] }
            },
            "required": ["state", "view"],
            "$defs": {
                "State": { "oneOf": [
                    { "type": "string", "const": "ready", "description": "…" },
                    { "type": "string", "const": "done" }
                ]},
                "View": { "type": "object", "properties": { "a": { "type": "string" } } }
            }
        });
        let out = output(schema.as_object().unwrap());
        let p = &out["properties"];
        assert_eq!(p["state"], json!({ "type": "string", "enum": ["ready", "done"] }));
        assert_eq!(
            p["maybe"],
            json!({ "type": ["string", "null"], "enum": ["ready", "done", null] })
        );
        assert_eq!(p["view"], json!({ "type": "object" }));
        assert_eq!(p["views"], json!({ "type": "array" }));
        assert_eq!(p["n"], json!({ "type": "integer" }));
        assert_eq!(p["text"], json!({ "type": ["string", "null"] }));
        assert_eq!(
            out["anyOf"],
            json!([{ "required": ["state"] }, { "required": ["error", "code"] }])
        );
    }
}
