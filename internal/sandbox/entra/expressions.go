package entra

import (
	"fmt"
	"strings"
)

// Attribute-mapping expressions: a parser for the expression language
// (`Switch([IsSoftDeleted], , "False", "True", "True", "False")`, `Join(" ", [givenName], [surname])`, ...) and an
// evaluator for the functions the default mappings use plus a few trivial ones. Anything else is reported as
// unsupported, naming the function, so a provisioning step fails visibly instead of exporting a wrong value.
//
// JSON encoding follows microsoft-graph.md §5.12. The parameter key names of Switch and Join are UNKNOWN; the sandbox
// names them as functionParams says. Evaluation never depends on the keys: functions evaluate from the expression
// text (or, without one, from the parameters in order).

type exprKind int

const (
	exprEmpty exprKind = iota // an omitted argument, as in `Switch([x], , "a", "b")`
	exprAttribute
	exprConstant
	exprFunction
)

type exprNode struct {
	kind exprKind
	name string // attribute name, constant value, or function name
	args []*exprNode
}

// functionParams names the parameters of known functions, in order. Extra arguments repeat the pattern of the
// last pair (Switch) or continue numbering (Join, Coalesce).
var functionParams = map[string][]string{
	"Switch":   {"source", "defaultValue"},
	"Join":     {"separator"},
	"Not":      {"source"},
	"Append":   {"source", "suffix"},
	"Coalesce": nil,
	"ToLower":  {"source", "culture"},
	"ToUpper":  {"source", "culture"},
	"Mid":      {"source", "start", "length"},
}

func paramKey(fn string, i int) string {
	names, known := functionParams[canonicalFunc(fn)]
	if i < len(names) {
		return names[i]
	}
	switch canonicalFunc(fn) {
	case "Switch":
		n := (i-len(names))/2 + 1
		if (i-len(names))%2 == 0 {
			return fmt.Sprintf("key%d", n)
		}
		return fmt.Sprintf("value%d", n)
	case "Join", "Coalesce":
		return fmt.Sprintf("source%d", i-len(names)+1)
	}
	if !known && i == 0 {
		return "source"
	}
	return fmt.Sprintf("parameter%d", i+1)
}

func canonicalFunc(name string) string {
	for k := range functionParams {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// parseExpression parses an expression.
func parseExpression(src string) (*exprNode, error) {
	p := &exprParser{s: src}
	n, err := p.arg()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at position %d of expression %q", p.s[p.i:], p.i+1, src)
	}
	if n.kind == exprEmpty {
		return nil, fmt.Errorf("empty expression")
	}
	return n, nil
}

type exprParser struct {
	s string
	i int
}

func (p *exprParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\r' || p.s[p.i] == '\n') {
		p.i++
	}
}

// arg parses one argument, which may be empty (followed directly by ',' or ')').
func (p *exprParser) arg() (*exprNode, error) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] == ',' || p.s[p.i] == ')' {
		return &exprNode{kind: exprEmpty}, nil
	}
	switch p.s[p.i] {
	case '[':
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			return nil, fmt.Errorf("unterminated attribute reference in %q", p.s)
		}
		name := strings.TrimSpace(p.s[p.i+1 : p.i+end])
		p.i += end + 1
		return &exprNode{kind: exprAttribute, name: name}, nil
	case '"':
		var b strings.Builder
		p.i++
		for {
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unterminated string in %q", p.s)
			}
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			if ch == '"' {
				if p.i+1 < len(p.s) && p.s[p.i+1] == '"' {
					b.WriteByte('"')
					p.i += 2
					continue
				}
				p.i++
				break
			}
			b.WriteByte(ch)
			p.i++
		}
		return &exprNode{kind: exprConstant, name: b.String()}, nil
	default:
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(" \t\r\n(),[]\"", rune(p.s[p.i])) {
			p.i++
		}
		word := p.s[start:p.i]
		if word == "" {
			return nil, fmt.Errorf("unexpected %q at position %d of expression %q", p.s[p.i:p.i+1], p.i+1, p.s)
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			fn := &exprNode{kind: exprFunction, name: word}
			for {
				a, err := p.arg()
				if err != nil {
					return nil, err
				}
				p.ws()
				if p.i >= len(p.s) {
					return nil, fmt.Errorf("missing ')' in %q", p.s)
				}
				if p.s[p.i] == ')' {
					p.i++
					if len(fn.args) != 0 || a.kind != exprEmpty {
						fn.args = append(fn.args, a)
					}
					return fn, nil
				}
				if p.s[p.i] != ',' {
					return nil, fmt.Errorf("expected ',' or ')' at position %d of %q", p.i+1, p.s)
				}
				p.i++
				fn.args = append(fn.args, a)
			}
		}
		// A bare word or number is a constant (e.g. `Mid([x], 1, 8)`).
		return &exprNode{kind: exprConstant, name: word}, nil
	}
}

// String renders the node in the expression language.
func (n *exprNode) String() string {
	switch n.kind {
	case exprAttribute:
		return "[" + n.name + "]"
	case exprConstant:
		return `"` + strings.ReplaceAll(n.name, `"`, `\"`) + `"`
	case exprFunction:
		parts := make([]string, len(n.args))
		for i, a := range n.args {
			parts[i] = a.String()
		}
		return n.name + "(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

// source renders the node as an attributeMappingSource (microsoft-graph.md §5.12). Omitted arguments are left out of
// parameters; the expression text keeps them.
func (n *exprNode) source() map[string]any {
	out := map[string]any{"expression": n.String(), "name": n.name, "parameters": []any{}}
	switch n.kind {
	case exprAttribute:
		out["type"] = "Attribute"
	case exprConstant:
		out["type"] = "Constant"
	case exprFunction:
		out["type"] = "Function"
		params := []any{}
		for i, a := range n.args {
			if a.kind == exprEmpty {
				continue
			}
			params = append(params, map[string]any{"key": paramKey(n.name, i), "value": a.source()})
		}
		out["parameters"] = params
	}
	return out
}

// nodeFromSource builds the expression tree of an attributeMappingSource. Attribute and Constant sources use
// `name`; functions use the `expression` text, or name + parameters when the text is absent.
func nodeFromSource(src map[string]any) (*exprNode, error) {
	typ, _ := src["type"].(string)
	name, _ := src["name"].(string)
	expr, _ := src["expression"].(string)
	switch typ {
	case "Attribute":
		if name == "" {
			return parseExpression(expr)
		}
		return &exprNode{kind: exprAttribute, name: name}, nil
	case "Constant":
		if _, ok := src["name"]; !ok && expr != "" {
			return parseExpression(expr)
		}
		return &exprNode{kind: exprConstant, name: name}, nil
	case "Function", "":
		if expr != "" {
			return parseExpression(expr)
		}
		if typ == "" {
			return nil, fmt.Errorf("mapping source has neither type nor expression")
		}
		fn := &exprNode{kind: exprFunction, name: name}
		params, _ := src["parameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			v, _ := pm["value"].(map[string]any)
			if v == nil {
				fn.args = append(fn.args, &exprNode{kind: exprEmpty})
				continue
			}
			a, err := nodeFromSource(v)
			if err != nil {
				return nil, err
			}
			fn.args = append(fn.args, a)
		}
		return fn, nil
	}
	return nil, fmt.Errorf("unsupported mapping source type %q", typ)
}

// unsupportedFunctionError names a function the sandbox cannot evaluate.
type unsupportedFunctionError struct{ name string }

func (e *unsupportedFunctionError) Error() string {
	return fmt.Sprintf("the expression function '%s' is not supported by the sandbox's provisioning engine (supported: Switch, Not, Join, Append, Coalesce, ToLower, ToUpper)", e.name)
}

// eval evaluates the node; attr returns an attribute's value or nil. A nil result is a null value.
func (n *exprNode) eval(attr func(name string) *string) (*string, error) {
	switch n.kind {
	case exprEmpty:
		return nil, nil
	case exprAttribute:
		return attr(n.name), nil
	case exprConstant:
		v := n.name
		return &v, nil
	}
	args := make([]*string, len(n.args))
	for i, a := range n.args {
		v, err := a.eval(attr)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	arg := func(i int) *string {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	str := func(v string) *string { return &v }
	switch canonicalFunc(n.name) {
	case "Switch":
		// Switch(source, defaultValue, key1, value1, key2, value2, ...)
		src := arg(0)
		if src != nil {
			for i := 2; i+1 < len(args); i += 2 {
				if k := args[i]; k != nil && *k == *src {
					return args[i+1], nil
				}
			}
		}
		return arg(1), nil
	case "Not":
		v := arg(0)
		if v == nil {
			return nil, nil
		}
		switch strings.ToLower(*v) {
		case "true":
			return str("False"), nil
		case "false":
			return str("True"), nil
		}
		return nil, fmt.Errorf("Not(%q): the value is not a Boolean", *v)
	case "Join":
		// Join(separator, source1, source2, ...); null and empty values are skipped.
		sep := ""
		if s := arg(0); s != nil {
			sep = *s
		}
		var parts []string
		for _, v := range args[min(1, len(args)):] {
			if v != nil && *v != "" {
				parts = append(parts, *v)
			}
		}
		if len(parts) == 0 {
			return nil, nil
		}
		return str(strings.Join(parts, sep)), nil
	case "Append":
		if arg(0) == nil {
			return nil, nil
		}
		suffix := ""
		if v := arg(1); v != nil {
			suffix = *v
		}
		return str(*arg(0) + suffix), nil
	case "Coalesce":
		for _, v := range args {
			if v != nil && *v != "" {
				return v, nil
			}
		}
		return nil, nil
	case "ToLower":
		if v := arg(0); v != nil {
			return str(strings.ToLower(*v)), nil
		}
		return nil, nil
	case "ToUpper":
		if v := arg(0); v != nil {
			return str(strings.ToUpper(*v)), nil
		}
		return nil, nil
	}
	return nil, &unsupportedFunctionError{name: n.name}
}
