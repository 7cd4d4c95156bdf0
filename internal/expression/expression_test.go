package expression_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/expression"
)

// TestEscaping pins the string-constant rule of microsoft-graph.md §5.16: \\ is a backslash and \" a quote
// (DOCUMENTED); a backslash before anything else stays as it is and a doubled quote is no escape (UNKNOWN, the
// choice the package comment explains).
func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"Company name: \"Contoso\""`, `Company name: "Contoso"`}, // Microsoft's own example
		{`"a\\b"`, `a\b`},
		{`"\\+(?<isdCode>\\d* )"`, `\+(?<isdCode>\d* )`}, // the Replace example of the reference
		{`"C:\temp"`, `C:\temp`},                         // UNKNOWN: kept as written
		{`"ends with \\"`, `ends with \`},
	} {
		n, err := expression.Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tc.in, err)
		}
		if n.Kind != expression.Constant || n.Name != tc.want {
			t.Errorf("Parse(%s) = %q, want %q", tc.in, n.Name, tc.want)
		}
		// Printing escapes both characters, and reads back the same.
		back, err := expression.Parse(n.String())
		if err != nil || back.Name != tc.want {
			t.Errorf("Parse(%s) = %v %v, want %q", n.String(), back, err, tc.want)
		}
	}
	if got := expression.Quote(`say "hi" \o/`); got != `"say \"hi\" \\o/"` {
		t.Errorf("Quote = %s", got)
	}
	for _, bad := range []string{`"say ""hi"""`, `"open`, `"open\"`} {
		if _, err := expression.Parse(bad); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, printed string }{
		{`[mail]`, `[mail]`},
		{` Join(" ",[givenName],  [surname]) `, `Join(" ", [givenName], [surname])`},
		{`Switch([IsSoftDeleted], , "False", "True", "True", "False")`, `Switch([IsSoftDeleted], , "False", "True", "True", "False")`},
		{`ToLower([userPrincipalName], )`, `ToLower([userPrincipalName], )`},
		{`Mid([x], 1, 8)`, `Mid([x], "1", "8")`},
		{`Guid()`, `Guid()`},
		{`Not(IsNull([manager]))`, `Not(IsNull([manager]))`},
	} {
		n, err := expression.Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tc.in, err)
		}
		if got := n.String(); got != tc.printed {
			t.Errorf("Parse(%s) prints %s, want %s", tc.in, got, tc.printed)
		}
	}
	for _, bad := range []string{``, "  ", `Join(" ", [a]`, `[a`, `[]`, `Join(" ") x`, `Join(" " [a])`, `)`} {
		if _, err := expression.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	// A long expression is never echoed whole.
	long := "Join(" + strings.Repeat(`"x", `, 1000) + "[a] [b])"
	_, err := expression.Parse(long)
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("error for a %d-character expression: %v", len(long), err)
	}
}

// TestSource pins the JSON of microsoft-graph.md §5.12.
func TestSource(t *testing.T) {
	for in, want := range map[string]string{
		`Not([IsSoftDeleted])`: `{"expression":"Not([IsSoftDeleted])","name":"Not","parameters":[{"key":"source","value":{"expression":"[IsSoftDeleted]","name":"IsSoftDeleted","parameters":[],"type":"Attribute"}}],"type":"Function"}`,
		`"1"`:                  `{"expression":"\"1\"","name":"1","parameters":[],"type":"Constant"}`,
	} {
		n, err := expression.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(n.Source(""))
		if string(got) != want {
			t.Errorf("Source(%s)\n got %s\nwant %s", in, got, want)
		}
	}
	n, _ := expression.Parse(`Switch([IsSoftDeleted], , "False", "True", "True", "False")`)
	var keys []string
	params, _ := n.Source("")["parameters"].([]any)
	for _, p := range params {
		m, ok := p.(map[string]any)
		if !ok {
			t.Fatalf("parameter %T", p)
		}
		k, _ := m["key"].(string)
		keys = append(keys, k)
	}
	if got := strings.Join(keys, ","); got != "source,key1,value1,key2,value2" {
		t.Errorf("Switch keys %s", got)
	}
}

func TestUnknownFunctions(t *testing.T) {
	n, err := expression.Parse(`Join(" ", tolower([a]), Frobnicate([b]), Frobnicate([c]), ToUpper([d]))`)
	if err != nil {
		t.Fatal(err)
	}
	got := n.UnknownFunctions()
	want := []expression.Problem{{Name: "tolower", Want: "ToLower"}, {Name: "Frobnicate"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("UnknownFunctions = %+v, want %+v", got, want)
	}
	if a := strings.Join(n.Attributes(), ","); a != "a,b,c,d" {
		t.Errorf("Attributes = %s", a)
	}
}

func TestCut(t *testing.T) {
	if got := expression.Cut("short", 80); got != `"short"` {
		t.Errorf("Cut = %s", got)
	}
	got := expression.Cut(strings.Repeat("é", 5000), 80)
	if !strings.HasSuffix(got, "… (5000 characters)") || len([]rune(got)) > 110 {
		t.Errorf("Cut = %s", got)
	}
}

func TestParseProviderCases(t *testing.T) {
	cases := []struct{ in, printed string }{
		{`[mail]`, `[mail]`},
		{`"work"`, `"work"`},
		{`Join(" ", [givenName], [surname])`, `Join(" ", [givenName], [surname])`},
		{`Switch([IsSoftDeleted], , "False", "True", "True", "False")`, `Switch([IsSoftDeleted], , "False", "True", "True", "False")`},
		{`Mid([userPrincipalName], 1, 8)`, `Mid([userPrincipalName], "1", "8")`},
		{` Not( [IsSoftDeleted] ) `, `Not([IsSoftDeleted])`},
		{`Replace([preferredLanguage], "-", , , "_", , )`, `Replace([preferredLanguage], "-", , , "_", , )`},
		{`Append("a \"quoted\" word", [x])`, `Append("a \"quoted\" word", [x])`},
		{`Guid()`, `Guid()`},
	}
	for _, c := range cases {
		n, err := expression.Parse(c.in)
		if err != nil {
			t.Errorf("expression.Parse(%s): %v", c.in, err)
			continue
		}
		if got := n.String(); got != c.printed {
			t.Errorf("expression.Parse(%s) prints %s, want %s", c.in, got, c.printed)
		}
	}
	for _, bad := range []string{``, `[mail`, `Join(" ", [a]`, `"open`, `[]`, `Join(" ") extra`, `a b`} {
		if _, err := expression.Parse(bad); err == nil {
			t.Errorf("expression.Parse(%q) accepted", bad)
		}
	}
}

func TestSourceTree(t *testing.T) {
	n, err := expression.Parse(`Switch([IsSoftDeleted], , "False", "True", "True", "False")`)
	if err != nil {
		t.Fatal(err)
	}
	src := n.Source("")
	b, _ := json.Marshal(src)
	want := `{"expression":"Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")","name":"Switch","parameters":[` +
		`{"key":"source","value":{"expression":"[IsSoftDeleted]","name":"IsSoftDeleted","parameters":[],"type":"Attribute"}},` +
		`{"key":"key1","value":{"expression":"\"False\"","name":"False","parameters":[],"type":"Constant"}},` +
		`{"key":"value1","value":{"expression":"\"True\"","name":"True","parameters":[],"type":"Constant"}},` +
		`{"key":"key2","value":{"expression":"\"True\"","name":"True","parameters":[],"type":"Constant"}},` +
		`{"key":"value2","value":{"expression":"\"False\"","name":"False","parameters":[],"type":"Constant"}}],"type":"Function"}`
	if string(b) != want {
		t.Errorf("source tree:\n got %s\nwant %s", b, want)
	}
	j, _ := expression.Parse(`Join(" ", [givenName], [surname])`)
	var keys []string
	jparams, _ := j.Source("")["parameters"].([]any)
	for _, p := range jparams {
		m, ok := p.(map[string]any)
		if !ok {
			t.Fatalf("parameter %T", p)
		}
		k, _ := m["key"].(string)
		keys = append(keys, k)
	}
	if strings.Join(keys, ",") != "separator,source1,source2" {
		t.Errorf("Join keys = %v", keys)
	}
}
