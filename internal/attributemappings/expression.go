package attributemappings

import (
	"fmt"
	"strings"
)

// A tiny parser for Entra's attribute-mapping expression language, enough to send an expression the way the portal
// does: source.expression holds the text and the source tree holds its parse (microsoft-graph.md §5.12):
//
//	[mail]                                  → Attribute mail
//	"work"                                  → Constant work
//	Join(" ", [givenName], [surname])       → Function Join with parameters separator, source1, source2
//	Switch([IsSoftDeleted], , "False", ...) → Function Switch; an omitted argument is skipped
//	Mid([userPrincipalName], 1, 8)          → bare numbers are constants
//
// Function and parameter names follow Microsoft's function reference; which keys the service itself uses for
// Switch and Join is UNKNOWN (microsoft-graph.md §5.12 has no verbatim example), so they are named after the documented
// signatures: source, defaultValue, key1, value1, ... and separator, source1, source2, ....

type exprKind int

const (
	exprEmpty exprKind = iota // an omitted argument
	exprAttribute
	exprConstant
	exprFunction
)

type exprNode struct {
	kind exprKind
	name string
	args []*exprNode
}

// functionParams are the documented parameter names of the common functions, in order. Variadic functions continue
// as described in paramKey.
var functionParams = map[string][]string{
	"Append":                    {"source", "suffix"},
	"BitAnd":                    {"value1", "value2"},
	"CBool":                     {"expression"},
	"CDate":                     {"expression"},
	"Coalesce":                  nil,
	"ConvertToBase64":           {"source"},
	"ConvertToUTF8Hex":          {"source"},
	"Count":                     {"attribute"},
	"CStr":                      {"value"},
	"DateAdd":                   {"interval", "value", "dateTime"},
	"DateDiff":                  {"interval", "date1", "date2"},
	"DateFromNum":               {"value"},
	"FormatDateTime":            {"source", "dateTimeStyles", "inputFormat", "outputFormat"},
	"Guid":                      nil,
	"IgnoreFlowIfNullOrEmpty":   {"expression"},
	"IIF":                       {"condition", "valueIfTrue", "valueIfFalse"},
	"InStr":                     {"value1", "value2", "start", "compareType"},
	"IsNull":                    {"expression"},
	"IsNullOrEmpty":             {"expression"},
	"IsPresent":                 {"expression"},
	"IsString":                  {"expression"},
	"Item":                      {"attribute", "index"},
	"Join":                      {"separator"},
	"Left":                      {"string", "numChars"},
	"Mid":                       {"source", "start", "length"},
	"NormalizeDiacritics":       {"source"},
	"Not":                       {"source"},
	"NumFromDate":               {"value"},
	"PCase":                     {"source", "wordSeparators"},
	"RemoveDuplicates":          {"attribute"},
	"Replace":                   {"source", "oldValue", "regexPattern", "regexGroupName", "replacementValue", "replacementAttributeName", "template"},
	"SelectUniqueValue":         nil,
	"SingleAppRoleAssignment":   {"source"},
	"Split":                     {"source", "delimiter"},
	"StripSpaces":               {"source"},
	"Switch":                    {"source", "defaultValue"},
	"ToLower":                   {"source", "culture"},
	"ToUpper":                   {"source", "culture"},
	"Word":                      {"string", "wordNumber", "delimiters"},
	"AppRoleAssignmentsComplex": {"source"},
}

// paramKey names the i-th argument of fn.
func paramKey(fn string, i int) string {
	names, known := lookupFunction(fn)
	if i < len(names) {
		return names[i]
	}
	switch {
	case strings.EqualFold(fn, "Switch"):
		n := (i-len(names))/2 + 1
		if (i-len(names))%2 == 0 {
			return fmt.Sprintf("key%d", n)
		}
		return fmt.Sprintf("value%d", n)
	case strings.EqualFold(fn, "Join"), strings.EqualFold(fn, "Coalesce"):
		return fmt.Sprintf("source%d", i-len(names)+1)
	case strings.EqualFold(fn, "SelectUniqueValue"):
		return fmt.Sprintf("uniqueValueRule%d", i+1)
	case !known && i == 0:
		return "source"
	}
	return fmt.Sprintf("parameter%d", i+1)
}

func lookupFunction(fn string) ([]string, bool) {
	for name, params := range functionParams {
		if strings.EqualFold(name, fn) {
			return params, true
		}
	}
	return nil, false
}

// parseExpression parses src.
func parseExpression(src string) (*exprNode, error) {
	p := &exprParser{s: src}
	p.ws()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("the expression is empty")
	}
	n, err := p.arg()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.i:], p.i+1)
	}
	if n.kind == exprEmpty {
		return nil, fmt.Errorf("the expression is empty")
	}
	return n, nil
}

type exprParser struct {
	s string
	i int
}

func (p *exprParser) ws() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

// arg parses one argument: an attribute, a string, a function call, a bare word or number, or nothing.
func (p *exprParser) arg() (*exprNode, error) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] == ',' || p.s[p.i] == ')' {
		return &exprNode{kind: exprEmpty}, nil
	}
	switch c := p.s[p.i]; {
	case c == '[':
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			return nil, fmt.Errorf("the attribute starting at position %d has no closing ]", p.i+1)
		}
		name := strings.TrimSpace(p.s[p.i+1 : p.i+end])
		if name == "" {
			return nil, fmt.Errorf("empty attribute name [] at position %d", p.i+1)
		}
		p.i += end + 1
		return &exprNode{kind: exprAttribute, name: name}, nil
	case c == '"':
		start := p.i
		p.i++
		var b strings.Builder
		for p.i < len(p.s) {
			switch ch := p.s[p.i]; {
			case ch == '\\' && p.i+1 < len(p.s) && (p.s[p.i+1] == '"' || p.s[p.i+1] == '\\'):
				b.WriteByte(p.s[p.i+1])
				p.i += 2
			case ch == '"':
				p.i++
				return &exprNode{kind: exprConstant, name: b.String()}, nil
			default:
				b.WriteByte(ch)
				p.i++
			}
		}
		return nil, fmt.Errorf("the string starting at position %d has no closing quote", start+1)
	default:
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(" \t\r\n,()[]\"", rune(p.s[p.i])) {
			p.i++
		}
		word := p.s[start:p.i]
		if word == "" {
			return nil, fmt.Errorf("unexpected %q at position %d", string(c), start+1)
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			fn := &exprNode{kind: exprFunction, name: word}
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				return fn, nil
			}
			for {
				a, err := p.arg()
				if err != nil {
					return nil, err
				}
				fn.args = append(fn.args, a)
				p.ws()
				if p.i >= len(p.s) {
					return nil, fmt.Errorf("%s( is not closed", word)
				}
				if p.s[p.i] == ',' {
					p.i++
					continue
				}
				if p.s[p.i] == ')' {
					p.i++
					return fn, nil
				}
				return nil, fmt.Errorf("expected , or ) at position %d in %s(...)", p.i+1, word)
			}
		}
		// A bare word or number is a constant (e.g. the 1 and 8 of Mid([x], 1, 8)).
		return &exprNode{kind: exprConstant, name: word}, nil
	}
}

// String prints the node in the expression language.
func (n *exprNode) String() string {
	switch n.kind {
	case exprAttribute:
		return "[" + n.name + "]"
	case exprConstant:
		return `"` + strings.ReplaceAll(strings.ReplaceAll(n.name, `\`, `\\`), `"`, `\"`) + `"`
	case exprFunction:
		parts := make([]string, len(n.args))
		for i, a := range n.args {
			parts[i] = a.String()
		}
		return n.name + "(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

// source renders the node as an attributeMappingSource; expression overrides the printed text (the top level keeps
// what the user wrote).
func (n *exprNode) source(expression string) map[string]any {
	if expression == "" {
		expression = n.String()
	}
	params := []any{}
	typ := "Function"
	switch n.kind {
	case exprAttribute:
		typ = "Attribute"
	case exprConstant:
		typ = "Constant"
	case exprFunction:
		for i, a := range n.args {
			if a.kind == exprEmpty {
				continue
			}
			params = append(params, map[string]any{"key": paramKey(n.name, i), "value": a.source("")})
		}
	}
	return map[string]any{"expression": expression, "name": n.name, "parameters": params, "type": typ}
}

// equal compares two parsed expressions.
func (n *exprNode) equal(o *exprNode) bool {
	if n == nil || o == nil || n.kind != o.kind || len(n.args) != len(o.args) {
		return n == nil && o == nil
	}
	if n.kind == exprFunction && !strings.EqualFold(n.name, o.name) || n.kind != exprFunction && n.name != o.name {
		return false
	}
	for i := range n.args {
		if !n.args[i].equal(o.args[i]) {
			return false
		}
	}
	return true
}
