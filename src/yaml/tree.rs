//! A lean YAML tree for the configuration readers, built straight from saphyr's parser events.
//!
//! saphyr's own `MarkedYamlOwned` hashes every key into a linked hash map and resolves every
//! plain scalar to a typed value; the readers need neither, and on a tree of CI files those
//! cost as much as the parsing itself. Here a mapping is a list of (key, value) pairs in
//! document order, a scalar keeps its text, and every node carries its byte span (saphyr
//! counts characters; the conversion happens once, here). Aliases are resolved by cloning the
//! anchored node within the [`Limits::aliases`] budget, so an alias bomb is an error, not
//! an exhaustion; merge keys (`<<`) are resolved by [`get`] and [`mapping`].

use std::borrow::Cow;

use super::parser::{Event, Parser, ScalarStyle, Span, SpannedEventReceiver};

use super::{ByteSpan, CharIndex, Limits, YamlSyntaxError};

/// How deep merge keys are followed.
const MERGE_DEPTH: usize = 16;

/// A YAML node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Byte span in the file.
    pub span: ByteSpan,
    /// What it is.
    pub kind: NodeKind,
}

/// The kinds of node.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar: its text, and whether it was written plain (unquoted).
    Scalar(String, bool),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
    /// An empty document or an unresolvable alias.
    Bad,
}

impl Node {
    fn size(&self) -> usize {
        match &self.kind {
            NodeKind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            NodeKind::Map(pairs) => {
                1 + pairs
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
            _ => 1,
        }
    }
}

struct Builder<'t> {
    idx: CharIndex<'t>,
    docs: Vec<Node>,
    /// Open collections: the node, its anchor, and for mappings a pending key.
    stack: Vec<(Node, usize, Option<Node>)>,
    /// Anchored nodes by anchor id (a map: a file can hold many thousand anchors).
    anchors: std::collections::HashMap<usize, Node>,
    budget: usize,
    /// The alias budget the load started with, for the message.
    alias_limit: usize,
    error: Option<String>,
}

impl Builder<'_> {
    fn span(&self, s: &Span) -> ByteSpan {
        let start = self.idx.byte(s.start.index());
        let end = self.idx.byte(s.end.index()).max(start);
        start..end
    }

    fn insert(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            // The latest node with an anchor id is the one an alias names.
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some((parent, _, pending)) => match &mut parent.kind {
                NodeKind::Seq(items) => items.push(node),
                NodeKind::Map(pairs) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => pairs.push((key, node)),
                },
                _ => {}
            },
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Builder<'_> {
    fn on_event(&mut self, ev: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        let at = self.span(&span);
        match ev {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
            Event::DocumentEnd => {
                if self.stack.is_empty() && self.docs.is_empty() {
                    self.docs.push(Node {
                        span: at,
                        kind: NodeKind::Bad,
                    });
                }
            }
            Event::Scalar(value, style, anchor, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                let text = match value {
                    Cow::Borrowed(s) => s.to_string(),
                    Cow::Owned(mut s) => {
                        s.shrink_to_fit();
                        s
                    }
                };
                self.insert(
                    Node {
                        span: at,
                        kind: NodeKind::Scalar(text, plain),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node {
                    span: at,
                    kind: NodeKind::Seq(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::MappingStart(anchor, _) => self.stack.push((
                Node {
                    span: at,
                    kind: NodeKind::Map(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((mut node, anchor, _)) = self.stack.pop() {
                    node.span.end = at.start.max(node.span.start);
                    // The tree is read, never grown again: drop the growth slack (a large
                    // registry is millions of small collections).
                    match &mut node.kind {
                        NodeKind::Seq(items) => items.shrink_to_fit(),
                        NodeKind::Map(pairs) => pairs.shrink_to_fit(),
                        _ => {}
                    }
                    self.insert(node, anchor);
                }
            }
            Event::Alias(id) => {
                let found = self.anchors.get(&id).map(Node::size);
                let node = match found {
                    Some(size) if size <= self.budget => {
                        self.budget -= size;
                        self.anchors.get(&id).map(|n| {
                            let mut n = n.clone();
                            n.span = at.clone();
                            n
                        })
                    }
                    Some(_) => {
                        self.error = Some(format!(
                            "alias expansion exceeds {} nodes (an alias bomb?); `max-yaml-aliases` raises the limit",
                            self.alias_limit
                        ));
                        None
                    }
                    None => None,
                };
                let node = node.unwrap_or(Node {
                    span: at,
                    kind: NodeKind::Bad,
                });
                self.insert(node, 0);
            }
        }
    }
}

/// Parses every document of `text`. Events are pulled one at a time (saphyr's own `load`
/// recurses once per nesting level, which deep input turns into a stack overflow), and a
/// document nested deeper than `limits.depth` is an error, as is alias expansion beyond
/// `limits.aliases` nodes.
pub fn load(text: &str, limits: &Limits) -> Result<Vec<Node>, YamlSyntaxError> {
    let mut budget = limits.aliases;
    load_in(text, limits, &mut budget)
}

/// [`load`], for a stream of which only the documents that `wanted` says yes to are needed
/// (a manifest file of many objects, a few of them W&B's).
///
/// The stream is cut before each `---` line. Such a line ends whatever node is open (YAML
/// forbids it inside any scalar or collection), so each piece parses alone as it does in the
/// stream, and a piece not wanted is not parsed at all. Spans are those of `text`; the alias
/// budget is shared by the pieces. A stream with directives (`%YAML`, which belong to the
/// document after them) is loaded whole, and so is one whose wanted pieces do not all parse:
/// its error is then the one [`load`] gives.
pub fn load_wanted(
    text: &str,
    limits: &Limits,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<Node>, YamlSyntaxError> {
    let starts_line = |at: usize| at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
    if text.match_indices('%').any(|(at, _)| starts_line(at)) {
        return load(text, limits);
    }
    let mut cuts = vec![0];
    for (at, _) in text.match_indices("---") {
        let after = text.as_bytes().get(at + 3);
        if at > 0 && starts_line(at) && after.is_none_or(|b| b" \t\r\n".contains(b)) {
            cuts.push(at);
        }
    }
    cuts.push(text.len());
    let mut budget = limits.aliases;
    let mut docs = Vec::new();
    for piece in cuts.windows(2) {
        let (Some(&from), Some(&to)) = (piece.first(), piece.get(1)) else {
            continue;
        };
        let Some(part) = text.get(from..to).filter(|p| wanted(p)) else {
            continue;
        };
        let Ok(found) = load_in(part, limits, &mut budget) else {
            return load(text, limits);
        };
        docs.extend(found.into_iter().map(|mut d| {
            shift(&mut d, from);
            d
        }));
    }
    Ok(docs)
}

/// Moves every span of `node` `by` bytes on.
fn shift(node: &mut Node, by: usize) {
    node.span = node.span.start + by..node.span.end + by;
    match &mut node.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        NodeKind::Map(pairs) => pairs.iter_mut().for_each(|(k, v)| {
            shift(k, by);
            shift(v, by);
        }),
        NodeKind::Scalar(..) | NodeKind::Bad => {}
    }
}

/// [`load`], spending alias expansion from `budget`.
fn load_in(text: &str, limits: &Limits, budget: &mut usize) -> Result<Vec<Node>, YamlSyntaxError> {
    let Limits {
        aliases,
        depth: max_depth,
    } = *limits;
    let mut b = Builder {
        idx: CharIndex::new(text),
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: std::collections::HashMap::new(),
        budget: *budget,
        alias_limit: aliases,
        error: None,
    };
    let mut parser = Parser::new_from_str(text).libyaml_indentation(true);
    while let Some(next) = parser.next_event() {
        let (ev, span) = match next {
            Ok(e) => e,
            Err(e) => {
                return Err(YamlSyntaxError {
                    message: e.info().to_string(),
                    offset: b.idx.byte(e.marker().index()),
                })
            }
        };
        let done = matches!(ev, Event::StreamEnd);
        if matches!(ev, Event::SequenceStart(..) | Event::MappingStart(..))
            && b.stack.len() >= max_depth
        {
            return Err(YamlSyntaxError {
                message: format!(
                    "nested deeper than {max_depth} levels; `max-yaml-depth` raises the limit"
                ),
                offset: b.idx.byte(span.start.index()),
            });
        }
        b.on_event(ev, span);
        if let Some(message) = b.error.take() {
            return Err(YamlSyntaxError { message, offset: 0 });
        }
        if done {
            break;
        }
    }
    *budget = b.budget;
    Ok(b.docs)
}

/// A scalar's text (`""` for a plain null: `~`, `null`, nothing), or `None` for collections.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar(s, plain) => {
            if *plain && matches!(s.as_str(), "~" | "null" | "Null" | "NULL") {
                Some(String::new())
            } else {
                Some(s.clone())
            }
        }
        _ => None,
    }
}

fn key_is(k: &Node, want: &str) -> bool {
    matches!(&k.kind, NodeKind::Scalar(s, _) if s == want)
}

/// The value of `key` in a mapping, merge keys resolved (a key written in the mapping wins,
/// then merged mappings in order).
pub fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    fn find<'n>(node: &'n Node, key: &str, depth: usize) -> Option<&'n Node> {
        let NodeKind::Map(pairs) = &node.kind else {
            return None;
        };
        if let Some((_, v)) = pairs.iter().find(|(k, _)| key_is(k, key)) {
            return Some(v);
        }
        if depth >= MERGE_DEPTH {
            return None;
        }
        pairs
            .iter()
            .filter(|(k, _)| key_is(k, "<<"))
            .find_map(|(_, v)| match &v.kind {
                NodeKind::Seq(items) => items.iter().find_map(|i| find(i, key, depth + 1)),
                _ => find(v, key, depth + 1),
            })
    }
    find(node, key, 0)
}

/// A mapping's entries with scalar keys, in document order, merge keys resolved. `None` if
/// the node is not a mapping.
pub fn mapping(node: &Node) -> Option<Vec<(String, &Node, &Node)>> {
    fn collect<'n>(
        node: &'n Node,
        depth: usize,
        out: &mut Vec<(String, &'n Node, &'n Node)>,
    ) -> bool {
        let NodeKind::Map(pairs) = &node.kind else {
            return false;
        };
        // Keys already listed: a set for big mappings (a scan of the entries before each key
        // is quadratic in a mapping of many thousand keys), a scan for the usual small ones.
        let mut seen: Option<std::collections::HashSet<&'n str>> = (pairs.len() + out.len() > 32)
            .then(|| {
                out.iter()
                    .filter_map(|(_, k, _)| match &k.kind {
                        NodeKind::Scalar(s, _) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect()
            });
        let mut is_new = |out: &[(String, &'n Node, &'n Node)], key: &'n str| match &mut seen {
            Some(set) => set.insert(key),
            None => !out.iter().any(|(k2, _, _)| k2 == key),
        };
        let mut merged = Vec::new();
        for (k, v) in pairs {
            let NodeKind::Scalar(key, _) = &k.kind else {
                continue;
            };
            if key == "<<" && depth < MERGE_DEPTH {
                match &v.kind {
                    NodeKind::Seq(items) => {
                        for item in items {
                            collect(item, depth + 1, &mut merged);
                        }
                    }
                    _ => {
                        collect(v, depth + 1, &mut merged);
                    }
                }
                continue;
            }
            if is_new(out, key.as_str()) {
                out.push((key.clone(), k, v));
            }
        }
        for (key, k, v) in merged {
            let NodeKind::Scalar(text, _) = &k.kind else {
                continue;
            };
            if is_new(out, text.as_str()) {
                out.push((key, k, v));
            }
        }
        true
    }
    let mut out = Vec::new();
    collect(node, 0, &mut out).then_some(out)
}

/// A file's text, for the readers: spans of nodes and slices of the text.
pub struct Src<'a>(pub &'a str);

impl<'a> Src<'a> {
    /// The node's byte span.
    pub fn span(&self, node: &Node) -> ByteSpan {
        node.span.clone()
    }

    /// The text of a span (empty if out of range).
    pub fn slice(&self, span: &ByteSpan) -> &'a str {
        self.0.get(span.clone()).unwrap_or("")
    }
}

/// A short name of the node's type for messages ("a mapping", "a string", ...).
pub fn type_name(node: &Node) -> &'static str {
    match &node.kind {
        NodeKind::Scalar(..) => "a string",
        NodeKind::Seq(_) => "a list",
        NodeKind::Map(_) => "a mapping",
        NodeKind::Bad => "an invalid value",
    }
}

/// A sequence's items, or `None`.
pub fn items(node: &Node) -> Option<&[Node]> {
    match &node.kind {
        NodeKind::Seq(items) => Some(items.as_slice()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_anchors_merges_and_bombs() {
        let text = "a: &x {k: 1, é: v}\nb:\n  <<: *x\n  k: 2\nc: [*x, ~]\n";
        let docs = load(text, &Limits::default()).expect("valid");
        let root = &docs[0];
        let b = get(root, "b").expect("b");
        assert_eq!(get(b, "k").and_then(scalar_text).as_deref(), Some("2"));
        assert_eq!(get(b, "é").and_then(scalar_text).as_deref(), Some("v"));
        let v = get(get(root, "a").expect("a"), "é").expect("é");
        assert_eq!(&text[v.span.clone()], "v");
        let c = items(get(root, "c").expect("c")).expect("list");
        assert_eq!(scalar_text(&c[1]).as_deref(), Some(""));
        assert_eq!(&text[c[0].span.clone()], "*x");
        let keys: Vec<String> = mapping(b)
            .expect("map")
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        assert_eq!(keys, vec!["k", "é"]);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..=9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(load(&bomb, &Limits::default()).is_err());
        assert!(load("a: [", &Limits::default()).is_err());
    }

    /// What libyaml (PyYAML, Go's yaml, kubectl) accepts and the YAML 1.2 specification does
    /// not: indentation inside flow collections and on quoted-scalar continuation lines is not
    /// checked. Each reads to the values those tools give, with exact byte spans.
    #[test]
    fn reads_what_libyaml_reads() {
        let k8s = "spec:\n  containers:\n    - name: t\n      args: [\n        \"configs/train.yml\", \"/mnt/out\"\n      ]\n      env: [{name: A,\n  value: b}]\n";
        let docs = load(k8s, &Limits::default()).expect("the closing bracket at the key's column");
        let c = &items(
            get(&docs[0], "spec")
                .and_then(|s| get(s, "containers"))
                .expect("list"),
        )
        .expect("items")[0];
        let args = items(get(c, "args").expect("args")).expect("a list");
        let texts: Vec<_> = args.iter().filter_map(scalar_text).collect();
        assert_eq!(texts, ["configs/train.yml", "/mnt/out"]);
        assert_eq!(&k8s[args[1].span.clone()], "\"/mnt/out\"");
        let env = &items(get(c, "env").expect("env")).expect("a list")[0];
        let value = get(env, "value").expect("a plain scalar left of its flow mapping's block");
        assert_eq!(&k8s[value.span.clone()], "b");
        // Under a top-level key too, and for mappings.
        let flow = "embedder: {\n'type': x,\n'layer': y\n}\nnext: 1\n";
        let docs = load(flow, &Limits::default()).expect("entries at column 0");
        let e = get(&docs[0], "embedder").expect("embedder");
        assert_eq!(get(e, "layer").and_then(scalar_text).as_deref(), Some("y"));
        assert_eq!(
            get(&docs[0], "next").and_then(scalar_text).as_deref(),
            Some("1")
        );
        // A quoted scalar continued left of its block's indentation, with spaces or a tab.
        for (text, want) in [
            (
                "a:\n  args: [\"sh -c\n  echo hi\n\", x]\n  b: 'one\ntwo'\n",
                "one two",
            ),
            ("a:\n  b: \"one\n\ttwo\"\n", "one two"),
        ] {
            let docs = load(text, &Limits::default()).expect("a quoted continuation");
            let b = get(&docs[0], "a").and_then(|a| get(a, "b")).expect("b");
            assert_eq!(scalar_text(b).as_deref(), Some(want), "{text:?}");
            assert!(text[b.span.clone()].ends_with(['\'', '"']));
        }
        // What libyaml refuses stays refused.
        for bad in [
            "a: [x\n",
            "a:\n  - b\n  c: d\n",
            "a: b: c\n",
            "key: \"open\n",
        ] {
            assert!(load(bad, &Limits::default()).is_err(), "{bad:?}");
        }
    }

    /// Every YAML fixture, and streams cut in awkward places: read piece by piece with every
    /// piece wanted, the documents (kinds, texts, spans) are those of the whole stream, and a
    /// stream the whole load rejects is rejected too.
    #[test]
    fn pieces_read_as_the_whole_stream() {
        let mut texts: Vec<(String, String)> = [
            "a: 1\n---\nb: 2\n--- # c\n- x\n---\n\n---\t\nk: |\n  t\n---",
            "--- |\ntext\n---\nnext: é\n...\nbare: doc\n",
            "a: \"open\n---\nb: 1\n",
            "a: [1,\n---\n2]\n",
            "a: 'x\n----\n  y'\n---x: 1\n",
            "%YAML 1.2\n---\na: 1\n---\nb: 2\n",
            "a: &x 1\n---\nb: *x\n",
            "a: 1\r\n---\r\nb: 2\r\n",
        ]
        .iter()
        .map(|t| ((*t).to_string(), format!("{t:?}")))
        .collect();
        for (path, text) in crate::yaml::fixture_yaml() {
            texts.push((text, path.display().to_string()));
        }
        assert!(texts.len() > 800, "{} texts", texts.len());
        let limits = Limits::default();
        let (mut multi, mut rejected) = (0, 0);
        for (text, name) in &texts {
            let whole = load(text, &limits);
            let pieces = load_wanted(text, &limits, |_| true);
            match (&whole, &pieces) {
                (Ok(w), Ok(p)) => assert_eq!(plain(w), plain(p), "{name}"),
                (Err(w), Err(p)) => {
                    assert_eq!((&w.message, w.offset), (&p.message, p.offset), "{name}");
                    rejected += 1;
                }
                _ => panic!("{name}: whole {whole:?}, pieces {pieces:?}"),
            }
            if whole.as_ref().is_ok_and(|d| d.len() > 1) {
                multi += 1;
            }
        }
        assert!(
            multi > 20 && rejected > 3,
            "{multi} streams, {rejected} rejected"
        );
    }

    /// The documents, for comparison. An empty node (`k:`, an empty document) has no text of
    /// its own; the parser spans it over the token after it, which at a cut is the piece's
    /// end rather than the next `---`: only its start is compared.
    fn plain(docs: &[Node]) -> String {
        fn empty_at_start(n: &mut Node) {
            match &mut n.kind {
                NodeKind::Scalar(t, true) if t.is_empty() => n.span.end = n.span.start,
                NodeKind::Seq(items) => items.iter_mut().for_each(empty_at_start),
                NodeKind::Map(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                    empty_at_start(k);
                    empty_at_start(v);
                }),
                _ => {}
            }
        }
        let mut docs = docs.to_vec();
        docs.iter_mut().for_each(empty_at_start);
        format!("{docs:?}")
    }

    #[test]
    fn only_wanted_pieces_are_read() {
        let text = "kind: A\nx: 1\n---\nkind: B\nwant: yes\n---\nkind: C\nbroken: [\n---\nkind: D\nwant: too\n";
        let docs = load_wanted(text, &Limits::default(), |p| p.contains("want")).expect("read");
        let kinds: Vec<String> = docs
            .iter()
            .filter_map(|d| get(d, "kind").and_then(scalar_text))
            .collect();
        assert_eq!(kinds, ["B", "D"]);
        let d = get(&docs[1], "want").expect("want");
        assert_eq!(&text[d.span.clone()], "too");
        // A wanted piece that does not parse: the whole stream's error.
        let err = load_wanted(text, &Limits::default(), |_| true).expect_err("broken");
        let whole = load(text, &Limits::default()).expect_err("broken");
        assert_eq!((err.message, err.offset), (whole.message, whole.offset));
        // The alias budget is the stream's, not each piece's.
        let mut bomb = String::new();
        for _ in 0..3 {
            bomb.push_str("---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a]\n");
        }
        let limits = Limits::new(120, 64);
        assert!(load_wanted(&bomb, &Limits::new(180, 64), |_| true).is_ok());
        assert!(load_wanted(&bomb, &limits, |_| true).is_err());
        assert!(load(&bomb, &limits).is_err());
    }
}
