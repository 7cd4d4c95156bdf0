package entra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Synchronization schema: GET/PUT …/jobs/{jobId}/schema, GET …/templates/{tid}/schema, the missing PATCH, and
// parseExpression (microsoft-graph.md §5.9, §5.12).
//
// The schema is kept as raw JSON: a PUT body is stored as sent, so properties the sandbox does not model survive a
// GET → PUT round trip. GET decodes it (numbers kept verbatim), sets id and @odata.context, and spells flowTypes per
// the job's FlowTypesSpelling.

// renderSchema prepares a stored schema for GET.
func renderSchema(raw json.RawMessage, id string, spelling FlowTypesSpelling, odataContext string) ([]byte, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("stored schema is not a JSON object: %w", err)
	}
	if odataContext != "" {
		m["@odata.context"] = odataContext
	} else {
		delete(m, "@odata.context")
	}
	m["id"] = id
	if spelling != FlowTypesAsStored {
		for _, om := range objectMappingsOf(m) {
			if ft, ok := om["flowTypes"].(string); ok {
				om["flowTypes"] = spellFlowTypes(ft, spelling)
			}
		}
	}
	return marshalJSON(m)
}

func objectMappingsOf(schema map[string]any) []map[string]any {
	var out []map[string]any
	rules, _ := schema["synchronizationRules"].([]any)
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, om := range oms {
			if m, ok := om.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// splitFlags splits a .NET flags string ("Add, Update" or "Add,Update").
func splitFlags(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func spellFlowTypes(v string, spelling FlowTypesSpelling) string {
	sep := ", "
	if spelling == FlowTypesCompact {
		sep = ","
	}
	return strings.Join(splitFlags(v), sep)
}

// writeSchema answers a synchronization schema rendered for id with its context (renderSchema).
func (s *Server) writeSchema(w http.ResponseWriter, r *http.Request, schema json.RawMessage, id string, spelling FlowTypesSpelling, ctx string) {
	b, err := renderSchema(schema, id, spelling, ctx)
	if err != nil {
		s.syncError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", graphContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Server) getJobSchema(w http.ResponseWriter, r *http.Request) {
	s.withJob(w, r, func(w http.ResponseWriter, sp *servicePrincipal, j *job) {
		ctx := s.syncContextLocked(r, sp, "jobs('"+j.id+"')/schema/$entity")
		s.writeSchema(w, r, j.schema, j.id, j.spelling, ctx)
	})
}

func (s *Server) getTemplateSchema(w http.ResponseWriter, r *http.Request) {
	s.withTemplate(w, r, func(w http.ResponseWriter, sp *servicePrincipal, tid string) {
		ctx := s.syncContextLocked(r, sp, "templates('"+tid+"')/schema/$entity")
		s.writeSchema(w, r, defaultSchema(), tid+".00000000000000000000000000000000", s.spelling, ctx)
	})
}

// putJobSchema serves PUT …/jobs/{jobId}/schema → 204. The body fully replaces the schema (microsoft-graph.md §5.9)
// after validation (see validateSchema). A body without "directories" keeps the current directories: whether the
// service accepts that is UNKNOWN, and keeping them leaves the schema usable.
func (s *Server) putJobSchema(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if !s.readJSON(w, r, &raw) {
		return
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body == nil {
		s.badJSON(w, r)
		return
	}
	s.withJob(w, r, func(w http.ResponseWriter, _ *servicePrincipal, j *job) {
		stored := raw
		if _, ok := body["directories"]; !ok {
			var cur map[string]json.RawMessage
			if err := json.Unmarshal(j.schema, &cur); err == nil && cur["directories"] != nil {
				var top map[string]json.RawMessage
				_ = json.Unmarshal(raw, &top)
				top["directories"] = cur["directories"]
				stored, _ = marshalJSON(top)
				var curDirs any
				d := json.NewDecoder(bytes.NewReader(cur["directories"]))
				d.UseNumber()
				_ = d.Decode(&curDirs)
				body["directories"] = curDirs
			}
		}
		if msg := validateSchema(body); msg != "" {
			s.syncError(w, r, http.StatusBadRequest, msg)
			return
		}
		j.schema = append(json.RawMessage(nil), stored...)
		noContent(w)
	})
}

// patchJobSchema answers PATCH …/schema the way Graph does: the service has no PATCH for the schema (OBSERVED,
// microsoft-graph.md §5.9, msgraph-sdk-python#820).
func (s *Server) patchJobSchema(w http.ResponseWriter, r *http.Request) {
	sp, jobID := r.PathValue("id"), r.PathValue("jobId")
	s.syncError(w, r, http.StatusNotFound, fmt.Sprintf(
		"No HTTP resource was found that matches the request URI 'https://syncfabric.windowsazure.com/api/servicePrincipals('%s')/synchronization/jobs('%s')/schema?api-version=2.0'.", sp, jobID))
}

// schemaDirs indexes a schema's directories: name → object name → attribute names (all lower-cased) and the
// attribute types.
type schemaDirs map[string]map[string]map[string]string

func indexDirectories(schema map[string]any) schemaDirs {
	out := schemaDirs{}
	dirs, _ := schema["directories"].([]any)
	for _, d := range dirs {
		dm, _ := d.(map[string]any)
		name, _ := dm["name"].(string)
		objs := map[string]map[string]string{}
		ol, _ := dm["objects"].([]any)
		for _, o := range ol {
			om, _ := o.(map[string]any)
			oname, _ := om["name"].(string)
			attrs := map[string]string{}
			al, _ := om["attributes"].([]any)
			for _, a := range al {
				am, _ := a.(map[string]any)
				an, _ := am["name"].(string)
				at, _ := am["type"].(string)
				if an != "" {
					attrs[strings.ToLower(an)] = at
				}
			}
			objs[strings.ToLower(oname)] = attrs
		}
		out[strings.ToLower(name)] = objs
	}
	return out
}

// resolveObject finds a directory object by name, falling back to the last ':'-segment of a URN ("…:2.0:User" →
// "User") and the reverse, since docs name the customappsso user object both ways.
func (d schemaDirs) resolveObject(dir, obj string) (map[string]string, bool) {
	objs, ok := d[strings.ToLower(dir)]
	if !ok {
		return nil, false
	}
	if a, ok := objs[strings.ToLower(obj)]; ok {
		return a, true
	}
	short := strings.ToLower(obj[strings.LastIndexByte(obj, ':')+1:])
	for name, a := range objs {
		if name == short || name[strings.LastIndexByte(name, ':')+1:] == short {
			return a, true
		}
	}
	return nil, false
}

var (
	objectFlowTypes   = []string{"None", "Add", "Update", "Delete"}
	attributeFlowType = []string{"Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"}
)

// validateSchema checks a schema PUT. It returns "" when valid, else the reason. Checked, per the DOCUMENTED rules
// of the schema update (microsoft-graph.md §5.9: an attribute must exist before it is mapped; an attribute can be a
// mapping target only once) and the provider's contract:
//
//   - every rule's source and target directory exists;
//   - every object mapping's source and target object exists in those directories;
//   - every target attribute exists on the target object and is mapped at most once per object mapping;
//   - matchingPriority values above 0 are unique within an object mapping;
//   - flowTypes and flowType are members of their enums.
//
// Source attributes are not checked (expressions may reference extension attributes). The wording of the messages
// is the sandbox's; the real texts are UNKNOWN.
func validateSchema(schema map[string]any) string {
	dirs := indexDirectories(schema)
	rules, ok := schema["synchronizationRules"].([]any)
	if !ok && schema["synchronizationRules"] != nil {
		return "synchronizationRules must be an array."
	}
	for _, r := range rules {
		rm, ok := r.(map[string]any)
		if !ok {
			return "Every synchronization rule must be an object."
		}
		rname, _ := rm["name"].(string)
		src, _ := rm["sourceDirectoryName"].(string)
		tgt, _ := rm["targetDirectoryName"].(string)
		for _, d := range []string{src, tgt} {
			if _, ok := dirs[strings.ToLower(d)]; !ok {
				return fmt.Sprintf("The synchronization rule '%s' refers to the directory '%s', which the schema does not define.", rname, d)
			}
		}
		oms, _ := rm["objectMappings"].([]any)
		for _, o := range oms {
			om, ok := o.(map[string]any)
			if !ok {
				return fmt.Sprintf("The synchronization rule '%s' has an object mapping that is not an object.", rname)
			}
			if msg := validateObjectMapping(dirs, src, tgt, om); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func validateObjectMapping(dirs schemaDirs, src, tgt string, om map[string]any) string {
	name, _ := om["name"].(string)
	if ft, ok := om["flowTypes"]; ok && ft != nil {
		fts, ok := ft.(string)
		if !ok {
			return fmt.Sprintf("Object mapping '%s': flowTypes must be a string such as \"Add, Update, Delete\".", name)
		}
		for _, f := range splitFlags(fts) {
			if !containsExact(objectFlowTypes, f) {
				return fmt.Sprintf("Object mapping '%s': flowTypes value '%s' is not one of None, Add, Update, Delete.", name, f)
			}
		}
	}
	srcObj, _ := om["sourceObjectName"].(string)
	tgtObj, _ := om["targetObjectName"].(string)
	if _, ok := dirs.resolveObject(src, srcObj); !ok {
		return fmt.Sprintf("Object mapping '%s': the source object '%s' is not defined in directory '%s'.", name, srcObj, src)
	}
	tattrs, ok := dirs.resolveObject(tgt, tgtObj)
	if !ok {
		return fmt.Sprintf("Object mapping '%s': the target object '%s' is not defined in directory '%s'.", name, tgtObj, tgt)
	}
	seen := map[string]bool{}
	prio := map[string]string{}
	ams, _ := om["attributeMappings"].([]any)
	for _, a := range ams {
		am, ok := a.(map[string]any)
		if !ok {
			return fmt.Sprintf("Object mapping '%s': every attribute mapping must be an object.", name)
		}
		target, _ := am["targetAttributeName"].(string)
		if target == "" {
			return fmt.Sprintf("Object mapping '%s': an attribute mapping has no targetAttributeName.", name)
		}
		key := strings.ToLower(target)
		if _, ok := tattrs[key]; !ok {
			return fmt.Sprintf("Object mapping '%s': the target attribute '%s' is not defined on object '%s' of directory '%s'. Add it to the directory's object before mapping it.", name, target, tgtObj, tgt)
		}
		if seen[key] {
			return fmt.Sprintf("Object mapping '%s': the target attribute '%s' is mapped more than once. An attribute can be the target of only one mapping.", name, target)
		}
		seen[key] = true
		if ft, ok := am["flowType"]; ok && ft != nil {
			if fs, _ := ft.(string); !containsExact(attributeFlowType, fs) {
				return fmt.Sprintf("Object mapping '%s': attribute '%s' has flowType '%v', which is not one of %s.", name, target, ft, strings.Join(attributeFlowType, ", "))
			}
		}
		p := numberString(am["matchingPriority"])
		if p != "" && p != "0" {
			if other, dup := prio[p]; dup {
				return fmt.Sprintf("Object mapping '%s': matching precedence %s is used by both '%s' and '%s'. Matching precedence must be unique.", name, p, other, target)
			}
			prio[p] = target
		}
		if srcv, ok := am["source"]; ok && srcv != nil {
			sm, ok := srcv.(map[string]any)
			if !ok {
				return fmt.Sprintf("Object mapping '%s': attribute '%s' has a source that is not an object.", name, target)
			}
			if t, _ := sm["type"].(string); t != "" && t != "Attribute" && t != "Constant" && t != "Function" {
				return fmt.Sprintf("Object mapping '%s': attribute '%s' has source type '%s', which is not one of Attribute, Constant, Function.", name, target, t)
			}
		}
	}
	return ""
}

func numberString(v any) string {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case float64:
		return fmt.Sprint(t)
	case int:
		return fmt.Sprint(t)
	case string:
		return t
	}
	return ""
}

// parseExpression serves POST …/jobs/{jobId}/schema/parseExpression: the parsed tree of an expression as an
// attributeMappingSource (microsoft-graph.md §5.12). Evaluation against testInputObject is not offered.
func (s *Server) parseExpression(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Expression string `json:"expression"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	found := false
	s.withJob(w, r, func(http.ResponseWriter, *servicePrincipal, *job) { found = true })
	if !found {
		return
	}
	out := map[string]any{
		"@odata.context":      s.base(r) + "/v1.0/$metadata#microsoft.graph.parseExpressionResponse",
		"error":               nil,
		"evaluationResult":    nil,
		"evaluationSucceeded": false,
		"parsedExpression":    nil,
		"parsingSucceeded":    false,
	}
	n, err := parseExpression(body.Expression)
	if err != nil {
		out["error"] = map[string]any{"code": "ExpressionParsingFailure", "message": err.Error(), "details": []any{}, "innerError": nil, "target": nil}
	} else {
		out["parsedExpression"], out["parsingSucceeded"] = n.Source(""), true
	}
	writeJSON(w, http.StatusOK, out)
}
