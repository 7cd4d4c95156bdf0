// Package expression parses Entra's attribute-mapping expression language and renders a parse as the
// attributeMappingSource Graph stores (microsoft-graph.md §5.12, §5.16). It is the one parser of the repository: the
// provider (internal/attributemappings) uses it to send expressions the way the portal does and to validate them at
// plan, and the sandbox (internal/sandbox/entra) uses it to store and evaluate them, so both read every expression
// alike. It imports neither.
//
//	[mail]                                  → Attribute mail
//	"work"                                  → Constant work
//	"Company name: \"Contoso\""             → Constant Company name: "Contoso"
//	Join(" ", [givenName], [surname])       → Function Join with parameters separator, source1, source2
//	Switch([IsSoftDeleted], , "False", ...) → Function Switch; an omitted argument is skipped in parameters
//	Mid([userPrincipalName], 1, 8)          → bare words and numbers are constants
//
// Escaping in string constants (microsoft-graph.md §5.16, DOCUMENTED): a backslash or a double quote inside a string
// is written with a backslash before it, \\ and \". What a backslash before any other character means is UNKNOWN;
// the parser keeps such a backslash as it is ("C:\temp" is C:\temp), the reading that loses nothing. A doubled quote
// ("") is not an escape: the docs name only the backslash, so "say ""hi""" is a syntax error.
package expression

import (
	"fmt"
	"strings"
)

// Kind is what a Node is.
type Kind int

// The kinds of node.
const (
	Empty     Kind = iota // an omitted argument, as in Switch([x], , "a", "b")
	Attribute             // [name]
	Constant              // "text", or a bare word or number
	Function              // Name(args...)
)

// Node is one node of a parsed expression.
type Node struct {
	Kind Kind
	// Name is the attribute name, the constant's value, or the function name as written.
	Name string
	// Args are a function's arguments in order, omitted ones included as Empty nodes.
	Args []*Node
}

// Parse parses src. Error messages name positions, never the whole text (an expression may be thousands of
// characters long).
func Parse(src string) (*Node, error) {
	p := &parser{s: src}
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
		return nil, fmt.Errorf("unexpected %s at position %d", Cut(p.s[p.i:], 20), p.i+1)
	}
	if n.Kind == Empty {
		return nil, fmt.Errorf("the expression is empty")
	}
	return n, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) ws() {
	for p.i < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.i])) {
		p.i++
	}
}

// arg parses one argument: an attribute, a string, a function call, a bare word or number, or nothing.
func (p *parser) arg() (*Node, error) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] == ',' || p.s[p.i] == ')' {
		return &Node{Kind: Empty}, nil
	}
	switch c := p.s[p.i]; c {
	case '[':
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			return nil, fmt.Errorf("the attribute starting at position %d has no closing ]", p.i+1)
		}
		name := strings.TrimSpace(p.s[p.i+1 : p.i+end])
		if name == "" {
			return nil, fmt.Errorf("empty attribute name [] at position %d", p.i+1)
		}
		p.i += end + 1
		return &Node{Kind: Attribute, Name: name}, nil
	case '"':
		return p.str()
	default:
		return p.word()
	}
}

// str parses a string constant; p.s[p.i] is its opening quote.
func (p *parser) str() (*Node, error) {
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
			return &Node{Kind: Constant, Name: b.String()}, nil
		default:
			b.WriteByte(ch)
			p.i++
		}
	}
	return nil, fmt.Errorf("the string starting at position %d has no closing quote", start+1)
}

// word parses a function call, or a bare word or number (a constant, e.g. the 1 and 8 of Mid([x], 1, 8)).
func (p *parser) word() (*Node, error) {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(" \t\r\n,()[]\"", rune(p.s[p.i])) {
		p.i++
	}
	word := p.s[start:p.i]
	if word == "" {
		return nil, fmt.Errorf("unexpected %q at position %d", string(p.s[start]), start+1)
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return &Node{Kind: Constant, Name: word}, nil
	}
	p.i++
	fn := &Node{Kind: Function, Name: word}
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
		fn.Args = append(fn.Args, a)
		p.ws()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("%s( at position %d is not closed", Cut(word, 40), start+1)
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ')':
			p.i++
			return fn, nil
		default:
			return nil, fmt.Errorf("expected , or ) at position %d in %s(...)", p.i+1, Cut(word, 40))
		}
	}
}

// Quote writes s as a string constant, escaping backslashes and double quotes.
func Quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// String prints the node in the expression language; Parse(n.String()) equals n.
func (n *Node) String() string {
	switch n.Kind {
	case Attribute:
		return "[" + n.Name + "]"
	case Constant:
		return Quote(n.Name)
	case Function:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = a.String()
		}
		return n.Name + "(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

// Source renders the node as an attributeMappingSource (microsoft-graph.md §5.12). expression is the text stored at
// the top level ("" for the node's own printing: the provider keeps what the user wrote). Omitted arguments are left
// out of parameters; the expression text keeps them.
func (n *Node) Source(expression string) map[string]any {
	if expression == "" {
		expression = n.String()
	}
	params := []any{}
	typ := "Function"
	switch n.Kind {
	case Attribute:
		typ = "Attribute"
	case Constant:
		typ = "Constant"
	case Function:
		for i, a := range n.Args {
			if a.Kind == Empty {
				continue
			}
			params = append(params, map[string]any{"key": ParamKey(n.Name, i), "value": a.Source("")})
		}
	}
	return map[string]any{"expression": expression, "name": n.Name, "parameters": params, "type": typ}
}

// Equal compares two parsed expressions (function names case-insensitively).
func (n *Node) Equal(o *Node) bool {
	if n == nil || o == nil || n.Kind != o.Kind || len(n.Args) != len(o.Args) {
		return n == nil && o == nil
	}
	if n.Kind == Function && !strings.EqualFold(n.Name, o.Name) || n.Kind != Function && n.Name != o.Name {
		return false
	}
	for i := range n.Args {
		if !n.Args[i].Equal(o.Args[i]) {
			return false
		}
	}
	return true
}

// Walk calls f for n and every node below it, depth first.
func (n *Node) Walk(f func(*Node)) {
	if n == nil {
		return
	}
	f(n)
	for _, a := range n.Args {
		a.Walk(f)
	}
}

// Cut shortens s for a message: at most limit runes, with "…" and the full length when cut.
func Cut(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", string(r[:limit]), len(r))
}
