package manifest

// A Spot is where a finding about a field path of an object is shown:
// the path's value, a block mapping's or list's key, or, for a path that
// is not in the source (a missing or defaulted field), its nearest
// parent's key, or the object's start.
type Spot struct {
	Position
	// Span is how many columns the offending text covers (for carets).
	Span int
	// Fallback is true when the path is not in the source and the
	// position is its nearest parent's.
	Fallback bool
}

// Spot returns where a finding about path is shown.
func (o *Object) Spot(path Path) Spot {
	loc := o.Locate(path)
	s := Spot{Position: loc.Value, Span: loc.Span(), Fallback: !loc.Exact}
	switch {
	case !loc.Exact && len(loc.Found) == 0:
		s.Position = o.Pos()
	case !loc.Exact || loc.blockCollection():
		// A missing field points at its parent's key; a block mapping or
		// list at its own key rather than its first child's line.
		s.Position = loc.Key
	}
	return s
}

// A Mark is a Spot that outlives its object's tree: made while the object
// is read, it keeps the path, the position and what a finding there shows
// of the source (the snippet of its line; for rendered text the line with
// its Origin, to map it back), so that a cross-object rule that checks a
// summary of an object at the end of a run, instead of the object, can
// report there (rule.Pass.ReportAt). It costs a hundred bytes or so.
type Mark struct {
	path    string // Path.AppendBinary
	snippet string
	// src, for rendered text only (Source.Origin set), is the mark's
	// line: the finding keeps it until it is mapped back.
	src                       *Source
	line, column, span, shift int32
	fallback, invalid         bool
}

// Mark returns the mark of path in o: the zero Mark when o has no tree
// (a summary of an object that was only looked up).
func (o *Object) Mark(path Path) Mark {
	if o.Node == nil || o.Source == nil {
		return Mark{}
	}
	s := o.Spot(path)
	var buf [64]byte
	m := Mark{path: string(path.AppendBinary(buf[:0])), line: int32(s.Line), column: int32(s.Column), span: int32(s.Span),
		fallback: s.Fallback, invalid: o.IsInvalid(path)}
	if o.Source.Origin != nil {
		m.src = o.Source.Excerpt(s.Line, s.Line)
	} else {
		text, shift := o.Source.Snippet(s.Line, s.Column)
		m.snippet, m.shift = text, int32(shift)
	}
	return m
}

// IsZero reports whether m marks nothing (Object.Mark of an object
// without a tree).
func (m *Mark) IsZero() bool { return m.line == 0 }

// Path is the marked path.
func (m *Mark) Path() Path {
	p, _ := DecodePath(nil, m.path)
	return p
}

// Spot is where the mark is.
func (m *Mark) Spot() Spot {
	return Spot{Position: Position{Line: int(m.line), Column: int(m.column)}, Span: int(m.span), Fallback: m.fallback}
}

// Invalid reports whether the path is, or is inside, a field whose value
// the loader reported as of the wrong type (Object.IsInvalid).
func (m *Mark) Invalid() bool { return m.invalid }

// Snippet is the text of the mark's line around its column, as
// Source.Snippet returns it; "" for rendered text (see Source).
func (m *Mark) Snippet() (text string, shift int) { return m.snippet, int(m.shift) }

// Source is, for rendered text, the mark's line with the rendered
// source's Origin, which a finding keeps until it is mapped back; nil for
// a plain file.
func (m *Mark) Source() *Source { return m.src }
