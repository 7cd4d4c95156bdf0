package auth0

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// member is one key of a JSON object with its raw value.
type member struct {
	Key   string
	Value json.RawMessage
}

// object is a JSON object that keeps its keys in order and its values as raw JSON, so that connection options are
// stored and echoed without losing keys or reinterpreting values.
type object []member

// parseObject decodes a JSON object. JSON null yields a nil object.
func parseObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected type object but found type %s", jsonType(b))
	}
	var o object
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o.Set(key, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON object")
	}
	return o, nil
}

// jsonType names the JSON type of a value as Auth0's validation messages do.
func jsonType(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "undefined"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// Get returns the raw value of key.
func (o object) Get(key string) (json.RawMessage, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// Has reports whether key is present.
func (o object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// String returns the value of key when it is a JSON string.
func (o object) String(key string) (string, bool) {
	raw, ok := o.Get(key)
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// Bool returns the value of key when it is a JSON boolean.
func (o object) Bool(key string) (bool, bool) {
	raw, ok := o.Get(key)
	if !ok {
		return false, false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, false
	}
	return b, true
}

// Set replaces key's value in place, or appends the key. v is marshalled unless it is already raw JSON.
func (o *object) Set(key string, v any) {
	raw, ok := v.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("auth0: cannot marshal %T: %v", v, err))
		}
		raw = b
	}
	raw = append(json.RawMessage(nil), raw...)
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = raw
			return
		}
	}
	*o = append(*o, member{key, raw})
}

// SetDefault sets key only when it is absent.
func (o *object) SetDefault(key string, v any) {
	if !o.Has(key) {
		o.Set(key, v)
	}
}

// Delete removes key.
func (o *object) Delete(key string) {
	out := (*o)[:0]
	for _, m := range *o {
		if m.Key != key {
			out = append(out, m)
		}
	}
	*o = out
}

// Clone returns a deep copy.
func (o object) Clone() object {
	if o == nil {
		return nil
	}
	out := make(object, len(o))
	for i, m := range o {
		out[i] = member{m.Key, append(json.RawMessage(nil), m.Value...)}
	}
	return out
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
