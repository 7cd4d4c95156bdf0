package entraclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// RawObject is a JSON object that keeps the order of its keys and the exact bytes of each value, so that a
// synchronization schema can be changed in a few places and written back with everything else byte-for-byte.
type RawObject struct {
	keys []string
	vals map[string]json.RawMessage
}

// NewRawObject returns an empty object.
func NewRawObject() *RawObject { return &RawObject{vals: map[string]json.RawMessage{}} }

// ParseRawObject parses a JSON object.
func ParseRawObject(raw []byte) (*RawObject, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	o := NewRawObject()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("invalid JSON object key")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		if _, dup := o.vals[key]; !dup {
			o.keys = append(o.keys, key)
		}
		o.vals[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after the JSON object")
	}
	return o, nil
}

// Keys returns the keys in document order.
func (o *RawObject) Keys() []string { return append([]string(nil), o.keys...) }

// Get returns the raw value of key.
func (o *RawObject) Get(key string) (json.RawMessage, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// String returns the string value of key ("" when absent, null or not a string).
func (o *RawObject) String(key string) string {
	var s string
	if v, ok := o.vals[key]; ok {
		_ = json.Unmarshal(v, &s)
	}
	return s
}

// Array returns the elements of the array value of key (nil when absent or null).
func (o *RawObject) Array(key string) ([]json.RawMessage, error) {
	v, ok := o.vals[key]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return nil, nil
	}
	var out []json.RawMessage
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, fmt.Errorf("%q is not an array: %w", key, err)
	}
	return out, nil
}

// Set replaces the value of key in place, or appends the key.
func (o *RawObject) Set(key string, v json.RawMessage) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// SetValue marshals v and sets it.
func (o *RawObject) SetValue(key string, v any) error {
	b, err := marshalNoEscape(v)
	if err != nil {
		return err
	}
	o.Set(key, b)
	return nil
}

// SetArray sets key to an array of raw elements.
func (o *RawObject) SetArray(key string, elems []json.RawMessage) {
	o.Set(key, RawArray(elems))
}

// Delete removes key.
func (o *RawObject) Delete(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// Bytes renders the object with its keys in order and every value's bytes untouched.
func (o *RawObject) Bytes() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshalNoEscape(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// MarshalJSON implements json.Marshaler.
func (o *RawObject) MarshalJSON() ([]byte, error) { return o.Bytes(), nil }

// RawArray renders raw elements as a JSON array, each element's bytes untouched.
func RawArray(elems []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// marshalNoEscape is json.Marshal without HTML escaping (Graph's documents contain < and > in expressions).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// MarshalNoEscape is json.Marshal without HTML escaping.
func MarshalNoEscape(v any) ([]byte, error) { return marshalNoEscape(v) }
