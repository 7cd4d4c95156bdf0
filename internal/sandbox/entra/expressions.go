package entra

import (
	"fmt"
	"strings"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
)

// Attribute-mapping expressions (`Switch([IsSoftDeleted], , "False", "True", "True", "False")`,
// `Join(" ", [givenName], [surname])`, ...): the stored tree of a source, and an evaluator for the functions the
// default mappings use plus a few trivial ones. Anything else is reported as unsupported, naming the function, so a provisioning step fails visibly instead of exporting a wrong value.
//
// JSON encoding follows microsoft-graph.md §5.12. The parameter key names of Switch and Join are UNKNOWN; they are
// named as expression.ParamKey says. Evaluation never depends on the keys: functions evaluate from the expression
// text (or, without one, from the parameters in order).

// The parser is the repository's one parser, internal/expression (shared with the provider, so both read every
// expression alike, escaping included: microsoft-graph.md §5.16). The names below keep this file's code short.
type exprNode = expression.Node

const (
	exprEmpty     = expression.Empty
	exprAttribute = expression.Attribute
	exprConstant  = expression.Constant
	exprFunction  = expression.Function
)

func parseExpression(src string) (*exprNode, error) { return expression.Parse(src) }

// canonicalFunc is the documented spelling of a function name. The evaluator compares names case-insensitively:
// whether the service rejects a function written with other capitals is UNKNOWN (the reference calls the syntax
// case-sensitive, §5.16); the provider rejects it at plan, and the sandbox evaluates it rather than fail a cycle.
func canonicalFunc(name string) string {
	c, _ := expression.Canonical(name)
	return c
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
		return &exprNode{Kind: exprAttribute, Name: name}, nil
	case "Constant":
		if _, ok := src["name"]; !ok && expr != "" {
			return parseExpression(expr)
		}
		return &exprNode{Kind: exprConstant, Name: name}, nil
	case "Function", "":
		if expr != "" {
			return parseExpression(expr)
		}
		if typ == "" {
			return nil, fmt.Errorf("mapping source has neither type nor expression")
		}
		fn := &exprNode{Kind: exprFunction, Name: name}
		params, _ := src["parameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			v, _ := pm["value"].(map[string]any)
			if v == nil {
				fn.Args = append(fn.Args, &exprNode{Kind: exprEmpty})
				continue
			}
			a, err := nodeFromSource(v)
			if err != nil {
				return nil, err
			}
			fn.Args = append(fn.Args, a)
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

// evalExpr evaluates the node; attr returns an attribute's value or nil. A nil result is a null value.
func evalExpr(n *exprNode, attr func(name string) *string) (*string, error) {
	switch n.Kind {
	case exprEmpty:
		return nil, nil
	case exprAttribute:
		return attr(n.Name), nil
	case exprConstant:
		v := n.Name
		return &v, nil
	}
	args := make([]*string, len(n.Args))
	for i, a := range n.Args {
		v, err := evalExpr(a, attr)
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
	switch canonicalFunc(n.Name) {
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
	return nil, &unsupportedFunctionError{name: n.Name}
}
