package expression

import (
	"fmt"
	"sort"
	"strings"
)

// Functions are the functions of Microsoft's expression reference (microsoft-graph.md §5.16, DOCUMENTED), each with
// its documented parameter names in order. Variadic functions continue as ParamKey says. The parameter keys the
// service itself stores for Switch and Join are UNKNOWN (§5.12); they are named after these signatures.
var Functions = map[string][]string{
	"Append":                    {"source", "suffix"},
	"AppRoleAssignmentsComplex": {"source"},
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
	"Now":                       nil,
	"NumFromDate":               {"value"},
	"PCase":                     {"source", "wordSeparators"},
	"RandomString":              {"Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase", "CharactersToAvoid"},
	"Redact":                    {"source"},
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
}

// Canonical returns the documented spelling of a function name compared case-insensitively, and whether the
// reference has it.
func Canonical(fn string) (string, bool) {
	if _, ok := Functions[fn]; ok {
		return fn, true
	}
	for name := range Functions {
		if strings.EqualFold(name, fn) {
			return name, true
		}
	}
	return fn, false
}

// FunctionNames lists the documented functions, sorted as a reader would (case-insensitively).
func FunctionNames() []string {
	out := make([]string, 0, len(Functions))
	for name := range Functions {
		out = append(out, name)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// ParamKey names the i-th argument of fn.
func ParamKey(fn string, i int) string {
	name, known := Canonical(fn)
	names := Functions[name]
	if i < len(names) {
		return names[i]
	}
	switch name {
	case "Switch":
		n := (i-len(names))/2 + 1
		if (i-len(names))%2 == 0 {
			return fmt.Sprintf("key%d", n)
		}
		return fmt.Sprintf("value%d", n)
	case "Join", "Coalesce":
		return fmt.Sprintf("source%d", i-len(names)+1)
	case "SelectUniqueValue":
		return fmt.Sprintf("uniqueValueRule%d", i+1)
	}
	if !known && i == 0 {
		return "source"
	}
	return fmt.Sprintf("parameter%d", i+1)
}

// Problem is a function call the reference does not document, or spells differently.
type Problem struct {
	// Name is the function as written.
	Name string
	// Want is the documented spelling when only the case differs, else "".
	Want string
}

// UnknownFunctions lists the calls in n whose function the reference does not have (Want empty) or spells with
// other capitals (the syntax is case-sensitive, §5.16), each name once, in order of appearance.
func (n *Node) UnknownFunctions() []Problem {
	var out []Problem
	seen := map[string]bool{}
	n.Walk(func(x *Node) {
		if x.Kind != Function || seen[x.Name] {
			return
		}
		seen[x.Name] = true
		if _, ok := Functions[x.Name]; ok {
			return
		}
		want, known := Canonical(x.Name)
		if !known {
			want = ""
		}
		out = append(out, Problem{Name: x.Name, Want: want})
	})
	return out
}

// Attributes lists the attribute names n refers to, each once, in order of appearance.
func (n *Node) Attributes() []string {
	var out []string
	seen := map[string]bool{}
	n.Walk(func(x *Node) {
		if x.Kind == Attribute && !seen[x.Name] {
			seen[x.Name] = true
			out = append(out, x.Name)
		}
	})
	return out
}
