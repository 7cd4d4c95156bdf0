package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Filter is a parsed SCIM filter (RFC 7644 §3.4.2.2). Auth0 documents the operators `eq`, `and` and `or` only
// (auth0-management-api.md §10.1); grouping with parentheses is accepted, every other operator is rejected as
// invalidFilter.
type Filter interface {
	// Match reports whether the resource (or, inside a value filter, the element) matches.
	Match(res map[string]any) bool
	// template returns an element satisfying the filter's equalities, used to create a missing element.
	template() map[string]any
	fmt.Stringer
}

// ParseFilter parses the value of the `filter` query parameter.
func ParseFilter(s string) (Filter, error) {
	p := &parser{}
	if err := p.lex(s); err != nil {
		return nil, err
	}
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	return f, nil
}

type andFilter struct{ l, r Filter }

func (f andFilter) Match(res map[string]any) bool { return f.l.Match(res) && f.r.Match(res) }
func (f andFilter) String() string                { return f.l.String() + " and " + f.r.String() }
func (f andFilter) template() map[string]any {
	m := f.l.template()
	for k, v := range f.r.template() {
		m[k] = v
	}
	return m
}

type orFilter struct{ l, r Filter }

func (f orFilter) Match(res map[string]any) bool { return f.l.Match(res) || f.r.Match(res) }
func (f orFilter) String() string                { return "(" + f.l.String() + " or " + f.r.String() + ")" }
func (f orFilter) template() map[string]any      { return f.l.template() }

// eqFilter is `path eq value`.
type eqFilter struct {
	path  Path
	value any
}

func (f eqFilter) Match(res map[string]any) bool {
	vs := f.path.Values(res)
	if f.value == nil {
		return len(vs) == 0
	}
	caseExact := f.path.Sub == "" && (strings.EqualFold(f.path.Attr, "id") || strings.EqualFold(f.path.Attr, "externalId"))
	for _, v := range vs {
		if m, ok := v.(map[string]any); ok {
			// A complex multi-valued attribute compared without a sub-attribute compares its "value" (RFC 7644 §3.4.2.2).
			v = m["value"]
		}
		if equal(v, f.value, caseExact) {
			return true
		}
	}
	return false
}

func (f eqFilter) String() string {
	b, _ := json.Marshal(f.value)
	return f.path.String() + " eq " + string(b)
}

func (f eqFilter) template() map[string]any {
	m := map[string]any{}
	if f.path.Filter == nil && f.path.Schema == "" && f.value != nil {
		if f.path.Sub == "" {
			m[f.path.Attr] = f.value
		}
	}
	return m
}

// equal compares a resource value with a filter literal. Strings compare case-insensitively unless caseExact
// (RFC 7643 §2.2: caseExact is false for most attributes, true for id and externalId).
func equal(v, want any, caseExact bool) bool {
	switch w := want.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if caseExact {
			return s == w
		}
		return strings.EqualFold(s, w)
	case bool:
		switch x := v.(type) {
		case bool:
			return x == w
		case string:
			b, err := strconv.ParseBool(x)
			return err == nil && b == w
		}
		return false
	case float64:
		switch x := v.(type) {
		case float64:
			return x == w
		case int:
			return float64(x) == w
		case json.Number:
			f, err := x.Float64()
			return err == nil && f == w
		}
	}
	return false
}

// --- lexer and parser, shared by filters and attribute paths ---

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
)

type token struct {
	kind tokKind
	text string // the word, or the decoded string literal
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) lex(s string) error {
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		case '(':
			p.toks = append(p.toks, token{tokLParen, "("})
			i++
		case ')':
			p.toks = append(p.toks, token{tokRParen, ")"})
			i++
		case '[':
			p.toks = append(p.toks, token{tokLBracket, "["})
			i++
		case ']':
			p.toks = append(p.toks, token{tokRBracket, "]"})
			i++
		case '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return fmt.Errorf("unterminated string at offset %d", i)
			}
			var str string
			if err := json.Unmarshal([]byte(s[i:j+1]), &str); err != nil {
				return fmt.Errorf("invalid string literal %s", s[i:j+1])
			}
			p.toks = append(p.toks, token{tokString, str})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()[]\"", rune(s[j])) {
				j++
			}
			p.toks = append(p.toks, token{tokWord, s[i:j]})
			i = j
		}
	}
	return nil
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tokEOF}
}

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *parser) keyword(word string) bool {
	t := p.peek()
	if t.kind == tokWord && strings.EqualFold(t.text, word) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) parseOr() (Filter, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = orFilter{l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (Filter, error) {
	l, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		r, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		l = andFilter{l, r}
	}
	return l, nil
}

func (p *parser) parseFactor() (Filter, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.next()
		f, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tokRParen {
			return nil, fmt.Errorf("missing %q", ")")
		}
		return f, nil
	case t.kind == tokWord && strings.EqualFold(t.text, "not"):
		return nil, fmt.Errorf("operator %q is not supported; supported operators are eq, and, or", "not")
	case t.kind != tokWord:
		return nil, fmt.Errorf("expected an attribute path, got %q", t.text)
	}
	path, err := p.parsePath()
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind != tokWord {
		return nil, fmt.Errorf("expected an operator after %q", path)
	}
	switch strings.ToLower(op.text) {
	case "eq":
	case "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr":
		return nil, fmt.Errorf("operator %q is not supported; supported operators are eq, and, or", op.text)
	default:
		return nil, fmt.Errorf("unknown operator %q", op.text)
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return eqFilter{path: path, value: v}, nil
}

func (p *parser) parseValue() (any, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return t.text, nil
	case tokWord:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			return f, nil
		}
		return nil, fmt.Errorf("invalid comparison value %q", t.text)
	}
	return nil, fmt.Errorf("expected a comparison value, got %q", t.text)
}

// parsePath parses attrPath / valuePath [subAttr] starting at the current token.
func (p *parser) parsePath() (Path, error) {
	t := p.next()
	if t.kind != tokWord || t.text == "" {
		return Path{}, fmt.Errorf("expected an attribute path, got %q", t.text)
	}
	var path Path
	path.Schema, path.Attr, path.Sub = splitName(t.text)
	if p.peek().kind != tokLBracket {
		if path.Attr == "" && path.Schema == "" {
			return Path{}, fmt.Errorf("invalid attribute path %q", t.text)
		}
		return path, nil
	}
	if path.Sub != "" {
		return Path{}, fmt.Errorf("a value filter must follow the attribute name in %q", t.text)
	}
	p.next()
	f, err := p.parseOr()
	if err != nil {
		return Path{}, err
	}
	if p.next().kind != tokRBracket {
		return Path{}, fmt.Errorf("missing %q in value filter", "]")
	}
	path.Filter = f
	if n := p.peek(); n.kind == tokWord && strings.HasPrefix(n.text, ".") {
		p.next()
		path.Sub = n.text[1:]
		if path.Sub == "" || strings.Contains(path.Sub, ".") {
			return Path{}, fmt.Errorf("invalid sub-attribute %q", n.text)
		}
	}
	return path, nil
}
