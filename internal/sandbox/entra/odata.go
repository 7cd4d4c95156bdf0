package entra

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OData query options for list endpoints: $filter with `eq`, `ne` and `startswith(...)` joined by `and` (what
// azuread and the provider use; microsoft-graph.md §3.4), $select, $top and $count. Other filter syntax is answered
// with 400 Request_UnsupportedQuery.

type filterClause struct {
	op    string // eq, ne, startswith
	prop  string
	value any // string, bool or nil
}

// parseFilter parses `a eq 'x' and startswith(b,'y') and c eq true`.
func parseFilter(f string) ([]filterClause, error) {
	toks, err := tokenizeFilter(f)
	if err != nil {
		return nil, err
	}
	var out []filterClause
	i := 0
	next := func() string {
		if i >= len(toks) {
			return ""
		}
		i++
		return toks[i-1]
	}
	for {
		t := next()
		var c filterClause
		switch {
		case strings.EqualFold(t, "startswith"):
			if next() != "(" {
				return nil, fmt.Errorf("expected '(' after startswith")
			}
			c.op, c.prop = "startswith", next()
			if next() != "," {
				return nil, fmt.Errorf("expected ',' in startswith")
			}
			v, err := filterLiteral(next())
			if err != nil {
				return nil, err
			}
			c.value = v
			if next() != ")" {
				return nil, fmt.Errorf("expected ')' after startswith")
			}
		case t == "" || t == "(" || t == ")" || t == ",":
			return nil, fmt.Errorf("unexpected %q", t)
		default:
			c.prop = t
			op := strings.ToLower(next())
			if op != "eq" && op != "ne" {
				return nil, fmt.Errorf("unsupported operator %q", op)
			}
			c.op = op
			v, err := filterLiteral(next())
			if err != nil {
				return nil, err
			}
			c.value = v
		}
		out = append(out, c)
		t = next()
		if t == "" {
			return out, nil
		}
		if !strings.EqualFold(t, "and") {
			return nil, fmt.Errorf("unsupported operator %q", t)
		}
	}
}

func tokenizeFilter(f string) ([]string, error) {
	var toks []string
	for i := 0; i < len(f); {
		c := f[i]
		switch c {
		case ' ', '\t':
			i++
		case '(', ')', ',':
			toks = append(toks, string(c))
			i++
		case '\'':
			var b strings.Builder
			b.WriteByte('\'')
			j := i + 1
			for ; j < len(f); j++ {
				if f[j] == '\'' {
					if j+1 < len(f) && f[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(f[j])
			}
			if j >= len(f) {
				return nil, fmt.Errorf("unterminated string literal")
			}
			toks = append(toks, b.String())
			i = j + 1
		default:
			j := i
			for j < len(f) && !strings.ContainsRune(" \t(),'", rune(f[j])) {
				j++
			}
			toks = append(toks, f[i:j])
			i = j
		}
	}
	return toks, nil
}

// filterLiteral turns a token into a value: 'quoted' strings (the tokenizer keeps the opening quote), true, false,
// null, or a bare GUID/number kept as a string.
func filterLiteral(t string) (any, error) {
	switch {
	case strings.HasPrefix(t, "'"):
		return t[1:], nil
	case t == "true":
		return true, nil
	case t == "false":
		return false, nil
	case t == "null":
		return nil, nil
	case t == "" || t == "(" || t == ")" || t == ",":
		return nil, fmt.Errorf("expected a literal, got %q", t)
	}
	return t, nil
}

// matches reports whether obj satisfies every clause. Properties are looked up case-insensitively and strings are
// compared case-insensitively, as the directory does.
func matches(obj map[string]any, cs []filterClause) bool {
	for _, c := range cs {
		v := lookupFold(obj, c.prop)
		switch c.op {
		case "eq", "ne":
			eq := valuesEqual(v, c.value)
			if (c.op == "eq") != eq {
				return false
			}
		case "startswith":
			vs, ok1 := v.(string)
			want, ok2 := c.value.(string)
			if !ok1 || !ok2 || !strings.HasPrefix(strings.ToLower(vs), strings.ToLower(want)) {
				return false
			}
		}
	}
	return true
}

func valuesEqual(a, b any) bool {
	switch bv := b.(type) {
	case nil:
		return a == nil
	case bool:
		av, ok := a.(bool)
		return ok && av == bv
	case string:
		switch av := a.(type) {
		case string:
			return strings.EqualFold(av, bv)
		case []any: // collection membership, e.g. tags
			for _, e := range av {
				if es, ok := e.(string); ok && strings.EqualFold(es, bv) {
					return true
				}
			}
		}
	}
	return false
}

func lookupFold(obj map[string]any, key string) any {
	if v, ok := obj[key]; ok {
		return v
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// listQuery applies $filter, $select, $top and $count to items and writes the collection.
//
// filterable names the properties $filter accepts; entity is the OData type name used in error messages;
// defaultSelect, when not nil, is the property set returned without $select (users); contextPath is the part of
// @odata.context after '#'.
func (s *Server) listQuery(w http.ResponseWriter, r *http.Request, contextPath, entity string, items []map[string]any, filterable []string, defaultSelect []string) {
	s.listQueryAt(w, r, "v1.0", contextPath, entity, items, filterable, defaultSelect)
}

// listQueryAt is listQuery for an API version ("v1.0" or "beta"), which names the metadata document of the context.
func (s *Server) listQueryAt(w http.ResponseWriter, r *http.Request, version, contextPath, entity string, items []map[string]any, filterable []string, defaultSelect []string) {
	q := r.URL.Query()
	if f := q.Get("$filter"); f != "" {
		cs, err := parseFilter(f)
		if err != nil {
			s.graphError(w, r, http.StatusBadRequest, CodeUnsupportedQuery, "Unsupported query filter: "+err.Error()+".")
			return
		}
		for _, c := range cs {
			if !containsFold(filterable, c.prop) {
				s.graphError(w, r, http.StatusBadRequest, CodeUnsupportedQuery,
					fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", c.prop, entity))
				return
			}
		}
		kept := items[:0:0]
		for _, it := range items {
			if matches(it, cs) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	count := len(items)
	if t := q.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 999 {
			s.graphError(w, r, http.StatusBadRequest, CodeBadRequest, "Invalid page size specified: '"+t+"'. Must be between 1 and 999 inclusive.")
			return
		}
		if n < len(items) {
			items = items[:n]
		}
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		sel, err := selectProps(it, q.Get("$select"), defaultSelect, entity)
		if err != nil {
			s.graphError(w, r, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		out = append(out, sel)
	}
	body := map[string]any{"@odata.context": s.base(r) + "/" + version + "/$metadata#" + contextPath, "value": out}
	if strings.EqualFold(q.Get("$count"), "true") {
		body["@odata.count"] = count
	}
	writeJSON(w, http.StatusOK, body)
}

// selectProps applies $select (or defaultSelect when $select is empty and defaultSelect is not nil).
// unknownPropertyError is Graph's answer to a $select naming a property the type does not have; its text is Graph's
// message, which is why it starts with a capital and ends with a period.
type unknownPropertyError struct{ property, entity string }

func (e unknownPropertyError) Error() string {
	return "Could not find a property named '" + e.property + "' on type 'microsoft.graph." + e.entity + "'."
}

func selectProps(obj map[string]any, sel string, defaultSelect []string, entity string) (map[string]any, error) {
	var keys []string
	switch {
	case sel != "":
		keys = strings.Split(sel, ",")
	case defaultSelect != nil:
		keys = defaultSelect
	default:
		return obj, nil
	}
	out := make(map[string]any, len(keys)+1)
	if t, ok := obj["@odata.type"]; ok {
		out["@odata.type"] = t
	}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		found := false
		for ok, v := range obj {
			if strings.EqualFold(ok, k) {
				out[ok] = v
				found = true
				break
			}
		}
		if !found {
			return nil, unknownPropertyError{property: k, entity: entity}
		}
	}
	return out, nil
}

// writeEntity writes one object (200) with @odata.context, honouring $select.
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, contextPath, entity string, obj map[string]any, defaultSelect []string) {
	s.writeEntityAt(w, r, "v1.0", contextPath, entity, obj, defaultSelect)
}

// writeEntityAt is writeEntity for an API version ("v1.0" or "beta"), which names the metadata document of the
// context.
func (s *Server) writeEntityAt(w http.ResponseWriter, r *http.Request, version, contextPath, entity string, obj map[string]any, defaultSelect []string) {
	sel, err := selectProps(obj, r.URL.Query().Get("$select"), defaultSelect, entity)
	if err != nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	out := make(map[string]any, len(sel)+1)
	for k, v := range sel {
		out[k] = v
	}
	out["@odata.context"] = s.base(r) + "/" + version + "/$metadata#" + contextPath
	writeJSON(w, http.StatusOK, out)
}

// getObject serves a GET of one object: find, under s.mu, returns its properties and whether it exists; the answer
// is writeEntityAt's, or 404 naming key.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, key, version, contextPath, entity string, defaultSelect []string, find func() (map[string]any, bool)) {
	s.mu.Lock()
	obj, found := find()
	s.mu.Unlock()
	if !found {
		s.notFound(w, r, key)
		return
	}
	s.writeEntityAt(w, r, version, contextPath, entity, obj, defaultSelect)
}

// listVisible serves a list of the objects of the set that set returns which replication shows, in creation order,
// each rendered by render under s.mu, through listQueryAt.
func listVisible[T stored](s *Server, w http.ResponseWriter, r *http.Request, version, contextPath, entity string, set func() map[string]T, render func(T) map[string]any, filterable, defaultSelect []string) {
	s.mu.Lock()
	objs := visibleInOrder(set(), s.now())
	items := make([]map[string]any, len(objs))
	for i, o := range objs {
		items[i] = render(o)
	}
	s.mu.Unlock()
	s.listQueryAt(w, r, version, contextPath, entity, items, filterable, defaultSelect)
}

// listRelated serves a list of the directory objects related to the object the path's {id} names (its members,
// the groups it is a member of), filterable by id and displayName as every directoryObject collection.
func (s *Server) listRelated(w http.ResponseWriter, r *http.Request, version string, collect func(id string) ([]map[string]any, bool)) {
	if items, ok := s.related(w, r, collect); ok {
		s.listQueryAt(w, r, version, "directoryObjects", "directoryObject", items, []string{"id", "displayName"}, nil)
	}
}

// related runs collect under s.mu for the object the path's {id} names: it returns the related objects (never nil)
// and whether that object exists. When it does not, related answers 404 naming it and reports false.
func (s *Server) related(w http.ResponseWriter, r *http.Request, collect func(id string) ([]map[string]any, bool)) ([]map[string]any, bool) {
	id := r.PathValue("id")
	s.mu.Lock()
	items, found := collect(id)
	s.mu.Unlock()
	if !found {
		s.notFound(w, r, id)
		return nil, false
	}
	if items == nil {
		items = []map[string]any{}
	}
	return items, true
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// stored is what every stored object is through its meta: visible after replication, and ordered by creation.
type stored interface {
	visible(now time.Time) bool
	order() int64
}

// inOrder returns the objects keep accepts (all when keep is nil) in creation order, the order list endpoints
// return them in.
func inOrder[T stored](objs map[string]T, keep func(T) bool) []T {
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		if keep == nil || keep(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order() < out[j].order() })
	return out
}

// visibleInOrder returns the objects that have replicated by now, in creation order.
func visibleInOrder[T stored](objs map[string]T, now time.Time) []T {
	return inOrder(objs, func(o T) bool { return o.visible(now) })
}
