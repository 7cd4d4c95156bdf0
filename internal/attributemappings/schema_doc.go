package attributemappings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/auth0entra/terraform-provider-auth0entra/internal/entraclient"
)

// schemaDoc is a job's synchronization schema opened at one object mapping, for a read-modify-write that changes the
// owned rows and flowTypes and leaves every other byte alone. The containers on the path root →
// synchronizationRules[r] → objectMappings[m] → attributeMappings are re-rendered with their keys in order; every
// other value keeps its exact bytes.
type schemaDoc struct {
	root    *entraclient.RawObject
	rules   []json.RawMessage
	ruleIdx int
	rule    *entraclient.RawObject
	maps    []json.RawMessage
	mapIdx  int
	om      *entraclient.RawObject
	rows    []json.RawMessage

	sourceObject    string
	sourceDirectory string
	targetDirectory string
	targetObject    string
}

// openSchema parses raw and finds the object mapping whose sourceObjectName is sourceObject (in the first rule that
// has one, preferring editable rules).
func openSchema(raw []byte, sourceObject string) (*schemaDoc, error) {
	root, err := entraclient.ParseRawObject(raw)
	if err != nil {
		return nil, fmt.Errorf("the synchronization schema is not a JSON object: %w", err)
	}
	rules, err := root.Array("synchronizationRules")
	if err != nil {
		return nil, err
	}
	d := &schemaDoc{root: root, rules: rules, ruleIdx: -1, sourceObject: sourceObject}
	var objects []string
	for pass := 0; pass < 2 && d.ruleIdx < 0; pass++ {
		for ri, rr := range rules {
			rule, err := entraclient.ParseRawObject(rr)
			if err != nil {
				return nil, fmt.Errorf("synchronization rule %d: %w", ri, err)
			}
			if pass == 0 {
				if v, ok := rule.Get("editable"); ok && string(bytes.TrimSpace(v)) == "false" {
					continue
				}
			}
			maps, err := rule.Array("objectMappings")
			if err != nil {
				return nil, err
			}
			for mi, mr := range maps {
				om, err := entraclient.ParseRawObject(mr)
				if err != nil {
					return nil, fmt.Errorf("object mapping %d of rule %d: %w", mi, ri, err)
				}
				name := om.String("sourceObjectName")
				if pass == 0 {
					objects = append(objects, name)
				}
				if !strings.EqualFold(name, sourceObject) {
					continue
				}
				rows, err := om.Array("attributeMappings")
				if err != nil {
					return nil, err
				}
				d.ruleIdx, d.rule, d.maps, d.mapIdx, d.om, d.rows = ri, rule, maps, mi, om, rows
				d.sourceDirectory = rule.String("sourceDirectoryName")
				d.targetDirectory = rule.String("targetDirectoryName")
				d.targetObject = om.String("targetObjectName")
				break
			}
			if d.ruleIdx >= 0 {
				break
			}
		}
	}
	if d.ruleIdx < 0 {
		return nil, fmt.Errorf("the schema has no object mapping for source object %q (it maps: %s)", sourceObject, strings.Join(objects, ", "))
	}
	return d, nil
}

// bytes renders the whole schema with the changes, without the top-level OData annotations GET adds.
func (d *schemaDoc) bytes() []byte {
	d.om.SetArray("attributeMappings", d.rows)
	d.maps[d.mapIdx] = d.om.Bytes()
	d.rule.SetArray("objectMappings", d.maps)
	d.rules[d.ruleIdx] = d.rule.Bytes()
	d.root.SetArray("synchronizationRules", d.rules)
	for _, k := range d.root.Keys() {
		if strings.HasPrefix(k, "@odata.") {
			d.root.Delete(k)
		}
	}
	return d.root.Bytes()
}

// row is one attribute mapping of the object mapping.
type row struct {
	idx int
	obj *entraclient.RawObject
}

func (r row) target() string { return r.obj.String("targetAttributeName") }

func (r row) matchingPriority() int64 {
	v, ok := r.obj.Get("matchingPriority")
	if !ok {
		return 0
	}
	var n json.Number
	if json.Unmarshal(v, &n) != nil {
		return 0
	}
	i, _ := n.Int64()
	return i
}

// rowsByTarget parses the rows, keyed by lower-cased target attribute.
func (d *schemaDoc) rowsByTarget() (map[string]row, []row, error) {
	by := map[string]row{}
	var all []row
	for i, raw := range d.rows {
		obj, err := entraclient.ParseRawObject(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("attribute mapping %d: %w", i, err)
		}
		r := row{idx: i, obj: obj}
		all = append(all, r)
		by[strings.ToLower(r.target())] = r
	}
	return by, all, nil
}

// setRow replaces the row of target (keeping its other keys and their order), or appends a new one.
func (d *schemaDoc) setRow(target string, set map[string]json.RawMessage) error {
	by, _, err := d.rowsByTarget()
	if err != nil {
		return err
	}
	if r, ok := by[strings.ToLower(target)]; ok {
		for _, k := range rowKeys {
			if v, ok := set[k]; ok {
				r.obj.Set(k, v)
			}
		}
		d.rows[r.idx] = r.obj.Bytes()
		return nil
	}
	obj := entraclient.NewRawObject()
	defaults := map[string]json.RawMessage{
		"defaultValue": json.RawMessage("null"), "exportMissingReferences": json.RawMessage("false"),
		"flowBehavior": json.RawMessage(`"FlowWhenChanged"`), "flowType": json.RawMessage(`"Always"`),
		"matchingPriority": json.RawMessage("0"), "source": json.RawMessage("null"),
	}
	tb, _ := entraclient.MarshalNoEscape(target)
	defaults["targetAttributeName"] = tb
	for _, k := range []string{"defaultValue", "exportMissingReferences", "flowBehavior", "flowType", "matchingPriority", "source", "targetAttributeName"} {
		v := defaults[k]
		if s, ok := set[k]; ok && k != "targetAttributeName" {
			v = s
		}
		obj.Set(k, v)
	}
	d.rows = append(d.rows, obj.Bytes())
	return nil
}

// rowKeys are the keys of an attribute mapping the resource writes.
var rowKeys = []string{"defaultValue", "flowType", "matchingPriority", "source"}

// restoreRow puts the template's row for target back (its exact bytes), or removes the row when the template has
// none.
func (d *schemaDoc) restoreRow(target string, templateRow json.RawMessage) error {
	by, _, err := d.rowsByTarget()
	if err != nil {
		return err
	}
	r, exists := by[strings.ToLower(target)]
	switch {
	case exists && templateRow != nil:
		d.rows[r.idx] = templateRow
	case exists:
		d.rows = append(d.rows[:r.idx:r.idx], d.rows[r.idx+1:]...)
	case templateRow != nil:
		d.rows = append(d.rows, templateRow)
	}
	return nil
}

// flowTypes returns the object actions of the object mapping as the resource names them (Create, Update, Delete).
func (d *schemaDoc) flowTypes() []string {
	return actionsFromFlowTypes(d.om.String("flowTypes"))
}

// setFlowTypes writes the object actions in the spelling the service used: "Add, Update, Delete" or
// "Add,Update,Delete".
func (d *schemaDoc) setFlowTypes(actions []string) {
	sep := ", "
	if cur := d.om.String("flowTypes"); strings.Contains(cur, ",") && !strings.Contains(cur, ", ") {
		sep = ","
	}
	// A string always marshals: SetValue cannot fail here.
	_ = d.om.SetValue("flowTypes", flowTypesFromActions(actions, sep))
}

// targetAttributes returns the attribute names of the target object in the target directory (nil when the schema
// does not describe it, in which case nothing can be checked).
func (d *schemaDoc) targetAttributes() ([]string, error) {
	return d.objectAttributes(d.targetDirectory, d.targetObject)
}

// sourceAttributes lists the attributes of the source object (e.g. User of "Azure Active Directory"), or nil when
// the schema does not describe it. A mapping may read only attributes its directory has (microsoft-graph.md §5.9).
func (d *schemaDoc) sourceAttributes() ([]string, error) {
	return d.objectAttributes(d.sourceDirectory, d.sourceObject)
}

// objectAttributes lists the attributes of object objectName of directory dirName, or nil when the schema does not
// describe it.
func (d *schemaDoc) objectAttributes(dirName, objectName string) ([]string, error) {
	dirs, err := d.root.Array("directories")
	if err != nil || dirs == nil {
		return nil, err
	}
	for _, dr := range dirs {
		dir, err := entraclient.ParseRawObject(dr)
		if err != nil {
			return nil, err
		}
		if dirName == "" || !strings.EqualFold(dir.String("name"), dirName) {
			continue
		}
		objs, err := dir.Array("objects")
		if err != nil {
			return nil, err
		}
		// The object is named by the mapping's targetObjectName (a SCIM URN for scim jobs) or by its short form
		// ("User"); docs show both.
		var byShort *entraclient.RawObject
		short := lastSegment(objectName)
		for _, or := range objs {
			obj, err := entraclient.ParseRawObject(or)
			if err != nil {
				return nil, err
			}
			name := obj.String("name")
			if strings.EqualFold(name, objectName) {
				return attributeNames(obj)
			}
			if strings.EqualFold(lastSegment(name), short) || strings.EqualFold(name, d.sourceObject) {
				byShort = obj
			}
		}
		if byShort != nil {
			return attributeNames(byShort)
		}
	}
	return nil, nil
}

func attributeNames(obj *entraclient.RawObject) ([]string, error) {
	attrs, err := obj.Array("attributes")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(attrs))
	for _, ar := range attrs {
		var a struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(ar, &a); err == nil && a.Name != "" {
			out = append(out, a.Name)
		}
	}
	return out, nil
}

func lastSegment(s string) string { return s[strings.LastIndexByte(s, ':')+1:] }

// Object actions: the resource's names (the portal's) and objectMapping.flowTypes flags.
var actionFlags = []struct{ action, flag string }{{"Create", "Add"}, {"Update", "Update"}, {"Delete", "Delete"}}

func actionsFromFlowTypes(ft string) []string {
	var out []string
	for _, f := range strings.Split(ft, ",") {
		f = strings.TrimSpace(f)
		for _, af := range actionFlags {
			if strings.EqualFold(f, af.flag) {
				out = append(out, af.action)
			}
		}
	}
	sort.Strings(out)
	return out
}

func flowTypesFromActions(actions []string, sep string) string {
	var flags []string
	for _, af := range actionFlags {
		for _, a := range actions {
			if a == af.action {
				flags = append(flags, af.flag)
			}
		}
	}
	if len(flags) == 0 {
		return "None"
	}
	return strings.Join(flags, sep)
}

// sameJSON compares two JSON values semantically.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

// enabled reads the object mapping's enabled flag (absent means enabled).
func (d *schemaDoc) enabled() bool {
	v, ok := d.om.Get("enabled")
	return !ok || string(bytes.TrimSpace(v)) != "false"
}

// setEnabled writes the enabled flag when it differs, keeping the bytes otherwise.
func (d *schemaDoc) setEnabled(on types.Bool) {
	if on.IsNull() || on.IsUnknown() || d.enabled() == on.ValueBool() {
		return
	}
	_ = d.om.SetValue("enabled", on.ValueBool())
}

// restoreEnabled puts back the template's flag.
func (d *schemaDoc) restoreEnabled(tmpl *schemaDoc) {
	if v, ok := tmpl.om.Get("enabled"); ok {
		d.om.Set("enabled", v)
	}
}
