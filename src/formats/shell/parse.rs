//! Shell text into commands, through tree-sitter's bash grammar: simple commands as argv
//! words, assignments (exported or not), redirections and heredocs, with comments and the
//! inside of quoted strings left for what they are. Text that is itself shell (`bash -c '...'`,
//! `sh <<EOF`, `ssh host '...'`, a heredoc written to `x.sh`) is parsed in turn, its spans
//! mapped back to the file. The grammar recovers from syntax errors: the commands around an
//! error are still read, and the error's place is kept.

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use super::word::{unquote, Offsets, Word};

/// How deeply shell inside shell is followed.
const MAX_DEPTH: usize = 16;
/// Commands nested deeper than this in command substitutions (`$( $( ... ) )`) are not read:
/// each level's word holds all the levels inside it, so reading every level costs the square
/// of the text.
const MAX_SUBSTITUTION_DEPTH: usize = 16;
/// Texts longer than this are not parsed as shell (a script is far smaller).
const MAX_LEN: usize = 8 << 20;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// A text prepared for parsing: the shell text and where each byte came from in the file.
#[derive(Debug, Clone)]
pub struct View {
    /// The shell text.
    pub text: String,
    /// The file offset of each byte.
    pub offsets: Offsets,
    /// The text as written, when `text` had parts replaced for parsing (same length: CI
    /// expressions): words take their values from it.
    pub original: Option<String>,
}

impl View {
    /// A text that sits at `base` in the file as it is.
    pub fn at(text: &str, base: usize) -> Self {
        Self {
            text: text.to_string(),
            offsets: Offsets::shifted(base, text.len()),
            original: None,
        }
    }
}

/// Where a command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// In the script itself (or a shell it starts with `bash -c`, `eval`, `bash <<EOF`,
    /// which sees the same environment).
    Main,
    /// A script the text writes to a file (`cat > run.sh <<EOF`): it runs later, elsewhere.
    Written {
        /// The file, as written.
        path: String,
    },
    /// On another machine or in another container, started by a launcher command
    /// (`ssh host '...'`, `docker run img bash -c '...'`, `kubectl exec pod -- sh -c '...'`).
    Launched {
        /// The launcher command's first words (`ssh`, `docker run`).
        by: String,
        /// The index of the launching command in [`Script::commands`].
        command: usize,
    },
}

/// `NAME=value`: before a command, alone, or after `export`/`declare`/`readonly`/`local`.
#[derive(Debug, Clone)]
pub struct Assign {
    /// The variable.
    pub name: String,
    /// The name's span.
    pub name_span: Range<usize>,
    /// The value (absent for `export NAME`).
    pub value: Option<Word>,
    /// The value as written in the shell text, quotes kept (`"$KEY"`), for classifying.
    pub raw: String,
    /// `export`, `declare -x` or a prefix of a command (the command sees it).
    pub exported: bool,
    /// The whole assignment's span.
    pub span: Range<usize>,
}

/// A redirection of a command: `> file`, `>> file`, `<<EOF ... EOF`, `<<< word`.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The operator (`>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `&>`).
    pub op: String,
    /// The target file or word (for a heredoc: its body).
    pub target: Option<Word>,
    /// A heredoc's delimiter was quoted: its body is taken literally.
    pub literal: bool,
}

/// One simple command.
#[derive(Debug, Clone)]
pub struct SimpleCommand {
    /// `NAME=value` prefixes.
    pub assigns: Vec<Assign>,
    /// The words, command name first (empty for a bare assignment).
    pub argv: Vec<Word>,
    /// Redirections.
    pub redirects: Vec<Redirect>,
    /// The command's span.
    pub span: Range<usize>,
    /// Index into [`Script::contexts`] of where it runs.
    pub context: usize,
    /// In a pipeline: the index of the next command of the pipeline (the reader of this
    /// one's output).
    pub piped_to: Option<usize>,
    /// In a pipeline, not its first command (its input comes from another command).
    pub piped_from: bool,
    /// Whether it is the first command of a nested shell text (`bash -c '...'`).
    pub nested: bool,
}

/// A parsed shell text.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Simple commands in text order (nested shell texts after the command holding them).
    pub commands: Vec<SimpleCommand>,
    /// Assignments that stand as statements (`X=1`, `export X=1`, `declare -x X=1`), with
    /// the index of their context.
    pub assignments: Vec<(Assign, usize)>,
    /// Where commands run; index 0 is the script itself.
    pub contexts: Vec<Context>,
    /// Syntax errors of the top-level text (file spans).
    pub errors: Vec<Range<usize>>,
    /// Variables that hold a script (`JOB=$(cat <<EOF ... EOF)`): its text, for a later
    /// `bash -c "$JOB"`.
    pub held: Vec<(String, Word)>,
    /// Arrays assigned in the text (`ARGS=(--export=X -e Y)`), spliced where a command
    /// expands them whole (`"${ARGS[@]}"`).
    pub arrays: Vec<(String, Vec<Word>)>,
    /// The functions the text defines (a call to one runs commands read in their place).
    pub functions: Vec<String>,
    /// The first words of the utility commands blanked before the parse of a whole script
    /// file ([`Script::parse_file`]): only a reading that asks whether the script runs
    /// anything but utilities needs them.
    pub elided: Vec<String>,
}

impl Script {
    /// Parses a shell text.
    pub fn parse(view: &View) -> Script {
        let mut s = Script {
            contexts: vec![Context::Main],
            ..Script::default()
        };
        s.parse_into(view, 0, 0);
        s
    }

    /// Parses `text`, found at `base` in the file.
    pub fn parse_at(text: &str, base: usize) -> Script {
        Script::parse(&View::at(text, base))
    }

    /// Parses a whole script file. Lines that no reading here can use are blanked first
    /// ([`super::elide`]: utility commands and comments, which the parser then skips), and the
    /// plain stretches of the file are read without the parser ([`super::quick`]); the
    /// parser's part is kept only when every blanked line came back as a do-nothing command
    /// among statements and the tree has no error, otherwise the text is parsed as written.
    pub fn parse_file(view: &View) -> Script {
        if view.original.is_none() && view.text.len() <= MAX_LEN {
            let elided = super::elide::elide(&view.text);
            let starts: Vec<usize> = elided
                .as_ref()
                .map(|e| e.commands.iter().map(|r| r.start).collect())
                .unwrap_or_default();
            let regions = super::quick::regions(&view.text, &starts);
            if elided.is_some() || !regions.is_empty() {
                let mut s = Script {
                    contexts: vec![Context::Main],
                    ..Script::default()
                };
                if s.parse_top(view, elided.as_ref(), &regions) {
                    s.elided = elided.map(|e| e.words).unwrap_or_default();
                    return s;
                }
            }
        }
        Script::parse(view)
    }

    /// Parses a file with its blanked lines (`elided`) and plain stretches (`regions`) left out
    /// of the parser's reading; whether the parse checks out (see [`Script::parse_file`]).
    fn parse_top(
        &mut self,
        view: &View,
        elided: Option<&super::elide::Elided>,
        regions: &[super::quick::Region],
    ) -> bool {
        let inside = |at: usize| regions.iter().any(|r| r.range.contains(&at));
        let mut text = elided
            .map_or_else(|| view.text.clone(), |e| e.text.clone())
            .into_bytes();
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut blanked = Vec::new();
        if let Some(e) = elided {
            blanked.extend(e.commands.iter().filter(|r| !inside(r.start)).cloned());
            for &(start, end, row, from, to) in &e.skipped {
                if !inside(start) {
                    skipped.push((start..end, (row, from), (row, to)));
                }
            }
        }
        for r in regions {
            for b in text.get_mut(r.range.clone()).into_iter().flatten() {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            skipped.push((r.range.clone(), r.points.0, r.points.1));
        }
        skipped.sort_by_key(|s| s.0.start);
        let Ok(text) = String::from_utf8(text) else {
            return false;
        };
        // Words are read from the text as written (the stretches are blanks in `text`).
        let blanked_view = View {
            text,
            offsets: view.offsets.clone(),
            original: Some(view.text.clone()),
        };
        let Some(tree) = parse_tree_skipping(&blanked_view.text, &skipped) else {
            return false;
        };
        if tree.root_node().has_error() {
            return false;
        }
        let mut walker = Walker {
            view: &blanked_view,
            context: 0,
            script: self,
            nested_texts: Vec::new(),
            elided: &blanked,
            elided_seen: 0,
            elision_broken: false,
            regions,
            next_region: 0,
        };
        walker.walk(&tree);
        if walker.elision_broken || walker.elided_seen != blanked.len() {
            return false;
        }
        let nested = std::mem::take(&mut walker.nested_texts);
        self.finish(&blanked_view, &tree, nested, 0, 0);
        true
    }

    fn parse_into(&mut self, view: &View, context: usize, depth: usize) {
        if view.text.len() > MAX_LEN || depth > MAX_DEPTH {
            return;
        }
        let Some(tree) = parse_tree(&view.text) else {
            return;
        };
        let first = self.commands.len();
        let mut walker = Walker {
            view,
            context,
            script: self,
            nested_texts: Vec::new(),
            elided: &[],
            elided_seen: 0,
            elision_broken: false,
            regions: &[],
            next_region: 0,
        };
        walker.walk(&tree);
        let nested = std::mem::take(&mut walker.nested_texts);
        self.finish(view, &tree, nested, first, depth);
    }

    /// After a text's walk: its errors (top level only), the nested flag of its first
    /// command, and the texts found inside it, parsed in turn.
    fn finish(
        &mut self,
        view: &View,
        tree: &Tree,
        nested: Vec<(View, usize)>,
        first: usize,
        depth: usize,
    ) {
        if depth == 0 {
            self.errors = errors(tree, view);
        }
        if let Some(c) = self.commands.get_mut(first) {
            c.nested = depth > 0;
        }
        for (inner, ctx) in nested {
            self.parse_into(&inner, ctx, depth + 1);
        }
    }

    /// A command given as a list of words, with no shell between (a Dockerfile exec form,
    /// a Kubernetes `command`/`args` list): the words are its argv; a shell among them
    /// (`["bash", "-c", "..."]`) has its text parsed in turn.
    pub fn from_argv(argv: Vec<Word>, span: Range<usize>) -> Script {
        let mut s = Script {
            contexts: vec![Context::Main],
            ..Script::default()
        };
        if argv.is_empty() {
            return s;
        }
        let empty = View::at("", span.start);
        let mut walker = Walker {
            view: &empty,
            context: 0,
            script: &mut s,
            nested_texts: Vec::new(),
            elided: &[],
            elided_seen: 0,
            elision_broken: false,
            regions: &[],
            next_region: 0,
        };
        let cmd = SimpleCommand {
            assigns: Vec::new(),
            argv,
            redirects: Vec::new(),
            span,
            context: 0,
            piped_to: None,
            piped_from: false,
            nested: false,
        };
        walker.queue_nested(&cmd, 0);
        let nested = std::mem::take(&mut walker.nested_texts);
        s.commands.push(cmd);
        for (inner, ctx) in nested {
            s.parse_into(&inner, ctx, 1);
        }
        s
    }

    /// The commands of a script the text writes (`cat > run.sh <<EOF`), context `ctx`, as a
    /// script of its own.
    pub fn written(&self, ctx: usize) -> Script {
        Script {
            commands: self
                .commands
                .iter()
                .filter(|c| c.context == ctx)
                .map(|c| SimpleCommand {
                    context: 0,
                    piped_to: None,
                    ..c.clone()
                })
                .collect(),
            assignments: self
                .assignments
                .iter()
                .filter(|(_, c)| *c == ctx)
                .map(|(a, _)| (a.clone(), 0))
                .collect(),
            contexts: vec![Context::Main],
            errors: Vec::new(),
            held: Vec::new(),
            arrays: Vec::new(),
            functions: Vec::new(),
            elided: Vec::new(),
        }
    }

    /// The commands that run as part of this text: all but those of the scripts it writes
    /// and of the processes it launches with an environment of their own (each is a scope
    /// of its own).
    pub fn own_commands(&self) -> impl Iterator<Item = &SimpleCommand> {
        self.commands.iter().filter(|c| {
            !matches!(
                self.contexts.get(c.context),
                Some(Context::Written { .. } | Context::Launched { .. })
            )
        })
    }

    /// The commands that run in the script's own environment.
    pub fn main_commands(&self) -> impl Iterator<Item = (usize, &SimpleCommand)> {
        self.commands
            .iter()
            .enumerate()
            .filter(|(_, c)| self.contexts.get(c.context) == Some(&Context::Main))
    }
}

/// A stretch of text the parser does not read: bytes, and (row, column) of its start and end.
type Skipped = (Range<usize>, (usize, usize), (usize, usize));

/// Parses `text` reading only what lies outside `skipped` (sorted; see
/// [`super::elide::Elided`] and [`super::quick`]): the parser never lexes the blanks, and node
/// offsets stay those of `text`.
fn parse_tree_skipping(text: &str, skipped: &[Skipped]) -> Option<Tree> {
    let mut ranges = Vec::with_capacity(skipped.len() + 1);
    let (mut from, mut from_point) = (0usize, tree_sitter::Point::new(0, 0));
    for (range, start_point, end_point) in skipped {
        if range.start > from {
            ranges.push(tree_sitter::Range {
                start_byte: from,
                end_byte: range.start,
                start_point: from_point,
                end_point: tree_sitter::Point::new(start_point.0, start_point.1),
            });
        }
        from = range.end;
        from_point = tree_sitter::Point::new(end_point.0, end_point.1);
    }
    // Nothing left to read: the tree of an empty text.
    if ranges.is_empty() && from >= text.len() {
        return parse_tree("");
    }
    // The rest of the text (none when it ends on a blanked line without a newline).
    let last_row = text.bytes().filter(|&c| c == b'\n').count();
    let last_col = text.len() - text.rfind('\n').map_or(0, |i| i + 1);
    if from < text.len() || ranges.is_empty() {
        ranges.push(tree_sitter::Range {
            start_byte: from,
            end_byte: text.len(),
            start_point: from_point,
            end_point: tree_sitter::Point::new(last_row, last_col),
        });
    }
    with_parser(|parser| {
        parser.set_included_ranges(&ranges).ok()?;
        let tree = parser.parse(text, None);
        // The next text is read whole.
        parser.set_included_ranges(&[]).ok()?;
        tree
    })
}

fn parse_tree(text: &str) -> Option<Tree> {
    with_parser(|parser| parser.parse(text, None))
}

/// Runs `f` with this thread's bash parser (made on first use).
fn with_parser(f: impl FnOnce(&mut Parser) -> Option<Tree>) -> Option<Tree> {
    PARSER.with(|p| {
        let mut slot = p.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        f(slot.as_mut()?)
    })
}

/// The spans of ERROR and MISSING nodes.
fn errors(tree: &Tree, view: &View) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if !tree.root_node().has_error() {
        return out;
    }
    let mut cursor = tree.walk();
    loop {
        let n = cursor.node();
        if n.is_error() || n.is_missing() {
            out.push(view.offsets.range(n.start_byte()..n.end_byte()));
        }
        let descend = n.has_error() && !n.is_error() && cursor.goto_first_child();
        if descend {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

struct Walker<'v, 's> {
    view: &'v View,
    context: usize,
    script: &'s mut Script,
    /// Shell texts found inside this one, to parse after it, with their context.
    nested_texts: Vec<(View, usize)>,
    /// Text ranges of command lines blanked to `:` before the parse (sorted).
    elided: &'v [Range<usize>],
    /// How many of them came back as `:` commands among statements.
    elided_seen: usize,
    /// One came back as something else, or inside a word.
    elision_broken: bool,
    /// Stretches read without the parser (at the top level, sorted), and how many of them
    /// were recorded so far.
    regions: &'v [super::quick::Region],
    next_region: usize,
}

impl Walker<'_, '_> {
    /// Visits every node once, in text order. The ancestors of the current node are kept on
    /// a stack (tree-sitter's `Node::parent` walks down from the root each time, which made
    /// long scripts quadratic).
    fn walk(&mut self, tree: &Tree) {
        let mut cursor = tree.walk();
        let mut up: Vec<Node> = Vec::new();
        // Command substitutions among `up`.
        let mut subs = 0usize;
        loop {
            let n = cursor.node();
            self.flush_regions(n.start_byte());
            let mut descend = true;
            match n.kind() {
                "command" if subs <= MAX_SUBSTITUTION_DEPTH => self.command(n, &up),
                "declaration_command" => self.declaration(n, &up),
                "variable_assignment" => {
                    self.array(n);
                    let standalone = up
                        .last()
                        .is_some_and(|p| !matches!(p.kind(), "command" | "declaration_command"));
                    if standalone {
                        if let Some(a) = self.assign(n, false) {
                            self.script.assignments.push((a, self.context));
                        }
                    }
                }
                "comment" | "heredoc_body" => descend = false,
                "function_definition" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let name = self.raw(name).to_string();
                        self.script.functions.push(name);
                    }
                }
                _ => {}
            }
            if descend && cursor.goto_first_child() {
                subs += usize::from(is_substitution(n));
                up.push(n);
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    self.flush_regions(usize::MAX);
                    return;
                }
                if up.pop().is_some_and(is_substitution) {
                    subs = subs.saturating_sub(1);
                }
            }
        }
    }

    /// Records what the stretches read without the parser hold, for those that end by `at`.
    fn flush_regions(&mut self, at: usize) {
        while let Some(r) = self.regions.get(self.next_region) {
            if r.range.end > at {
                return;
            }
            self.next_region += 1;
            for item in &r.items {
                self.quick_item(item);
            }
        }
    }

    /// Records one thing a stretch holds, as the walk of its nodes would have.
    fn quick_item(&mut self, item: &super::quick::Item) {
        use super::quick::Item;
        match item {
            Item::Function(name) => self.script.functions.push(name.clone()),
            Item::Assign(r) => {
                if let Some(a) = self.assign_range(r, false) {
                    self.script.assignments.push((a, self.context));
                }
            }
            Item::Declaration { words, span } => {
                let keyword = words.first().map(|r| self.written(r)).unwrap_or("");
                let mut exported = keyword == "export";
                let mut argv = Vec::new();
                for (i, r) in words.iter().enumerate() {
                    let w = self.word_range(r.start, r.end);
                    if i > 0 {
                        match self.assign_range(r, exported) {
                            Some(a) => self.script.assignments.push((a, self.context)),
                            None if w.text.starts_with('-') && w.text.contains('x') => {
                                exported = true;
                            }
                            None => {}
                        }
                    }
                    argv.push(w);
                }
                self.record(Vec::new(), argv, span);
            }
            Item::Command {
                assigns,
                words,
                span,
            } => {
                let assigns = assigns
                    .iter()
                    .filter_map(|r| self.assign_range(r, true))
                    .collect();
                let mut argv: Vec<Word> = words
                    .iter()
                    .map(|r| self.word_range(r.start, r.end))
                    .collect();
                strip_time(&mut argv);
                self.record(assigns, argv, span);
            }
        }
    }

    /// The text as written at `r`.
    fn written(&self, r: &Range<usize>) -> &str {
        self.view
            .original
            .as_deref()
            .unwrap_or(&self.view.text)
            .get(r.clone())
            .unwrap_or("")
    }

    /// `NAME=value` written at `r`, as an assignment (`None` when it is not one).
    fn assign_range(&self, r: &Range<usize>, exported: bool) -> Option<Assign> {
        let text = self.written(r);
        let (name, value) = text.split_once('=')?;
        let plain = name
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !plain {
            return None;
        }
        let eq = r.start + name.len();
        Some(Assign {
            name: name.to_string(),
            name_span: self.view.offsets.range(r.start..eq),
            value: Some(self.word_range(eq + 1, r.end)),
            raw: value.to_string(),
            exported,
            span: self.view.offsets.range(r.clone()),
        })
    }

    /// Whether `n` is a blanked line's `:` (not read as a command). Sets `elision_broken`
    /// when it starts where a blanked line does but is not a lone `:` among statements.
    fn blanked(&mut self, n: Node, up: &[Node]) -> bool {
        const STATEMENTS: &[&str] = &[
            "program",
            "function_definition",
            "compound_statement",
            "if_statement",
            "elif_clause",
            "else_clause",
            "for_statement",
            "c_style_for_statement",
            "while_statement",
            "do_group",
            "case_statement",
            "case_item",
            "subshell",
            "list",
            "redirected_statement",
        ];
        let start = n.start_byte();
        if self
            .elided
            .binary_search_by_key(&start, |r| r.start)
            .is_err()
        {
            return false;
        }
        let lone = self.raw(n) == ":" && up.iter().all(|a| STATEMENTS.contains(&a.kind()));
        if lone {
            self.elided_seen += 1;
        } else {
            self.elision_broken = true;
        }
        true
    }

    fn raw(&self, n: Node) -> &str {
        self.view
            .text
            .get(n.start_byte()..n.end_byte())
            .unwrap_or("")
    }

    fn span(&self, n: Node) -> Range<usize> {
        self.view.offsets.range(n.start_byte()..n.end_byte())
    }

    fn word(&self, n: Node) -> Word {
        self.word_range(n.start_byte(), n.end_byte())
    }

    /// The word written at bytes `start..end` of the view.
    fn word_range(&self, start: usize, end: usize) -> Word {
        let written = self.view.original.as_deref().unwrap_or(&self.view.text);
        let raw = written.get(start..end).unwrap_or("");
        let (text, map, expands) = unquote(raw);
        let offsets = self.view.offsets.slice(start..end).compose(&map);
        Word {
            text,
            span: self.view.offsets.range(start..end),
            expands,
            offsets,
        }
    }

    fn assign(&self, n: Node, exported: bool) -> Option<Assign> {
        let name = n.child_by_field_name("name")?;
        let value = n.child_by_field_name("value");
        Some(Assign {
            name: self.raw(name).to_string(),
            name_span: self.span(name),
            value: value.map(|v| self.word(v)),
            raw: value.map(|v| self.raw(v).to_string()).unwrap_or_default(),
            exported,
            span: self.span(n),
        })
    }

    fn declaration(&mut self, n: Node, up: &[Node]) {
        let raw = self.raw(n);
        let keyword = raw.split_whitespace().next().unwrap_or("");
        let mut exported = keyword == "export";
        let mut cursor = n.walk();
        let mut argv = Vec::new();
        for child in n.children(&mut cursor) {
            match child.kind() {
                "variable_assignment" => {
                    if let Some(a) = self.assign(child, exported) {
                        self.script.assignments.push((a, self.context));
                    }
                    argv.push(self.word(child));
                }
                "word" | "variable_name" | "string" | "raw_string" | "concatenation" => {
                    let w = self.word(child);
                    if w.text.starts_with('-') && w.text.contains('x') {
                        exported = true;
                    }
                    argv.push(w);
                }
                _ if !child.is_named() && argv.is_empty() => argv.push(self.word(child)),
                _ => {}
            }
        }
        self.push(n, up, Vec::new(), argv);
    }

    fn command(&mut self, n: Node, up: &[Node]) {
        if !self.elided.is_empty() && self.blanked(n, up) {
            return;
        }
        let mut assigns = Vec::new();
        let mut argv: Vec<Word> = Vec::new();
        // The previous argument's node range: the grammar sometimes ends a word at a `$`
        // (`a/$B`, `X=$A,Y=$B`); nodes with no space between them are one word.
        let mut prev: Option<(usize, usize)> = None;
        let mut cursor = n.walk();
        for (i, child) in n.children(&mut cursor).enumerate() {
            match child.kind() {
                "variable_assignment" => {
                    if let Some(a) = self.assign(child, true) {
                        assigns.push(a);
                    }
                }
                "command_name" => argv.push(self.word(child)),
                "file_redirect" | "herestring_redirect" | "heredoc_redirect" => {}
                "comment" => {}
                _ if n.field_name_for_child(i as u32) == Some("argument") => {
                    if let Some((start, _)) = prev.filter(|(_, e)| *e == child.start_byte()) {
                        argv.pop();
                        let w = self.word_range(start, child.end_byte());
                        prev = Some((start, child.end_byte()));
                        argv.push(w);
                        continue;
                    }
                    prev = Some((child.start_byte(), child.end_byte()));
                    let w = self.word(child);
                    argv.extend(self.spliced(child, w));
                }
                _ => {}
            }
        }
        strip_time(&mut argv);
        self.push(n, up, assigns, argv);
    }

    /// Records a command with its redirections and pipeline place, and queues the shell
    /// texts it runs.
    fn push(&mut self, n: Node, up: &[Node], assigns: Vec<Assign>, argv: Vec<Word>) {
        let index = self.script.commands.len();
        let mut redirects = Vec::new();
        let at = |k: usize| up.len().checked_sub(k).and_then(|i| up.get(i)).copied();
        let last_of = |parent: Node, child: Node| {
            (0..parent.named_child_count())
                .rev()
                .find_map(|i| parent.named_child(i))
                .is_some_and(|l| l.id() == child.id())
        };
        // Redirections sit on the command itself or on a `redirected_statement` around it.
        let mut holders = vec![n];
        let redirected = at(1).filter(|p| p.kind() == "redirected_statement");
        if let Some(p) = redirected {
            holders.push(p);
        }
        // `a | b > file`: the redirection is on the pipeline, and applies to its last command.
        if let Some(pipe) = at(1).filter(|p| p.kind() == "pipeline") {
            if let Some(r) =
                at(2).filter(|r| r.kind() == "redirected_statement" && last_of(pipe, n))
            {
                holders.push(r);
            }
        }
        for h in holders {
            let mut cursor = h.walk();
            for r in h.children(&mut cursor) {
                if let Some(red) = self.redirect(r) {
                    redirects.push(red);
                }
            }
        }
        let (stmt, depth) = match redirected {
            Some(r) => (r, 2),
            None => (n, 1),
        };
        let (piped_from, piped_to) = match at(depth).filter(|p| p.kind() == "pipeline") {
            Some(pipe) => {
                let from = pipe.named_child(0).is_some_and(|f| f.id() != stmt.id());
                (from, (!last_of(pipe, stmt)).then_some(usize::MAX))
            }
            None => (false, None),
        };
        // The previous command of the same pipeline feeds this one.
        if piped_from {
            if let Some(prev) = self
                .script
                .commands
                .iter_mut()
                .rev()
                .find(|c| c.piped_to == Some(usize::MAX))
            {
                prev.piped_to = Some(index);
            }
        }
        let cmd = SimpleCommand {
            assigns,
            argv,
            redirects,
            span: self.span(n),
            context: self.context,
            piped_to,
            piped_from,
            nested: false,
        };
        self.hold(up, &cmd);
        self.queue_nested(&cmd, index);
        self.script.commands.push(cmd);
    }

    /// Records a command read without the parser (no redirections, no pipeline).
    fn record(&mut self, assigns: Vec<Assign>, argv: Vec<Word>, span: &Range<usize>) {
        let index = self.script.commands.len();
        let cmd = SimpleCommand {
            assigns,
            argv,
            redirects: Vec::new(),
            span: self.view.offsets.range(span.clone()),
            context: self.context,
            piped_to: None,
            piped_from: false,
            nested: false,
        };
        self.hold(&[], &cmd);
        self.queue_nested(&cmd, index);
        self.script.commands.push(cmd);
    }

    /// The words one argument stands for: an array expanded whole (`"${ARGS[@]}"`) is its
    /// words; an unquoted `${X:+-e NAME=$X}` is the words of its alternative (what it gives
    /// when `X` is set, the case that matters for a credential).
    fn spliced(&self, n: Node, w: Word) -> Vec<Word> {
        let t = w.text.as_str();
        if let Some(name) = t
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix("[@]}").or_else(|| r.strip_suffix("[*]}")))
        {
            if let Some((_, words)) = self.script.arrays.iter().rev().find(|(a, _)| a == name) {
                return words.clone();
            }
        }
        let quoted = self.raw(n).starts_with('"');
        if let (false, Some(inner)) = (
            quoted,
            t.strip_prefix("${").and_then(|r| r.strip_suffix('}')),
        ) {
            if let Some(colon) = inner.find(":+") {
                let alt_start = 2 + colon + 2;
                let alt = &t[alt_start..t.len() - 1];
                let mut out = Vec::new();
                let mut from = 0;
                for piece in alt.split(' ') {
                    let at = alt_start + from;
                    from += piece.len() + 1;
                    if piece.is_empty() {
                        continue;
                    }
                    out.push(Word {
                        text: piece.to_string(),
                        span: w.range(at..at + piece.len()),
                        expands: piece.contains('$'),
                        offsets: w.offsets.slice(at..at + piece.len()),
                    });
                }
                if !out.is_empty() {
                    return out;
                }
            }
        }
        vec![w]
    }

    /// `NAME=(words)`: the array's words.
    fn array(&mut self, n: Node) {
        let (Some(name), Some(value)) = (
            n.child_by_field_name("name"),
            n.child_by_field_name("value"),
        ) else {
            return;
        };
        if value.kind() != "array" {
            return;
        }
        let mut cursor = value.walk();
        let words: Vec<Word> = value
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .map(|c| self.word(c))
            .collect();
        let between = self
            .view
            .text
            .get(n.start_byte()..value.start_byte())
            .unwrap_or("");
        let name = self.raw(name).to_string();
        // `ARGS+=(...)` appends (in every branch of an `if`: the words any run may have).
        if between.contains("+=") {
            if let Some((_, known)) = self
                .script
                .arrays
                .iter_mut()
                .rev()
                .find(|(a, _)| *a == name)
            {
                known.extend(words);
                return;
            }
        }
        self.script.arrays.push((name, words));
    }

    /// `NAME=$(cat <<EOF ... EOF)`: the variable holds the heredoc's text.
    fn hold(&mut self, up: &[Node], cmd: &SimpleCommand) {
        let Some(body) = cmd
            .redirects
            .iter()
            .find(|r| r.op.starts_with("<<") && r.op != "<<<")
            .and_then(|r| r.target.clone())
        else {
            return;
        };
        // `read -r -d '' NAME <<EOF`: the variable is the last word.
        if cmd.argv.first().is_some_and(|w| w.text == "read") {
            if let Some(name) = cmd
                .argv
                .last()
                .filter(|w| !w.text.starts_with('-') && cmd.argv.len() > 1)
            {
                self.script.held.push((name.text.clone(), body));
            }
            return;
        }
        if cmd.argv.first().map(|w| w.text.as_str()) != Some("cat") || cmd.argv.len() != 1 {
            return;
        }
        for p in up.iter().rev() {
            match p.kind() {
                "redirected_statement" | "command_substitution" | "string" => {}
                "variable_assignment" => {
                    if let Some(name) = p.child_by_field_name("name") {
                        let name = self.raw(name).to_string();
                        self.script.held.push((name, body));
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    /// The script a word runs: its own text, or the script a variable it names holds.
    fn script_of(&self, w: &Word) -> View {
        if let Some(name) = w.variable() {
            if let Some((_, body)) = self.script.held.iter().rev().find(|(n, _)| n == name) {
                return word_view(body);
            }
        }
        word_view(w)
    }

    fn redirect(&self, r: Node) -> Option<Redirect> {
        match r.kind() {
            "file_redirect" | "herestring_redirect" => {
                let op = (0..r.child_count())
                    .filter_map(|i| r.child(i))
                    .find(|c| !c.is_named())
                    .map(|c| self.raw(c).to_string())
                    .unwrap_or_default();
                let target = r
                    .child_by_field_name("destination")
                    .or_else(|| r.named_child(r.named_child_count().saturating_sub(1)))
                    .filter(|t| t.kind() != "file_descriptor")
                    .map(|t| self.word(t));
                Some(Redirect {
                    op,
                    target,
                    literal: false,
                })
            }
            "heredoc_redirect" => {
                let mut cursor = r.walk();
                let mut start = None;
                let mut body = None;
                let mut op = "<<".to_string();
                for c in r.children(&mut cursor) {
                    match c.kind() {
                        "heredoc_start" => start = Some(c),
                        "heredoc_body" => body = Some(c),
                        "<<-" => op = "<<-".to_string(),
                        _ => {}
                    }
                }
                let delim = start.map(|s| self.raw(s)).unwrap_or("");
                let literal = delim.contains(['\'', '"', '\\']);
                let target = body.map(|b| self.heredoc_body(b, literal));
                Some(Redirect {
                    op,
                    target,
                    literal,
                })
            }
            _ => None,
        }
    }

    /// A heredoc's body as the command reads it: taken literally after a quoted delimiter,
    /// otherwise with `\$`, `` \` `` and `\\` resolved and `\`-newline joined.
    fn heredoc_body(&self, b: Node, literal: bool) -> Word {
        // As written: a dialect's neutralised expressions (`${{ }}`) are kept, as in words.
        let written = self.view.original.as_deref().unwrap_or(&self.view.text);
        let raw = written.get(b.start_byte()..b.end_byte()).unwrap_or("");
        let base = b.start_byte();
        let (text, map) = if literal {
            (raw.to_string(), (0..=raw.len()).collect::<Vec<_>>())
        } else {
            heredoc_unescape(raw)
        };
        let offsets = self.view.offsets.slice(base..b.end_byte()).compose(&map);
        Word {
            expands: !literal && (text.contains('$') || text.contains('`')),
            text,
            span: self.span(b),
            offsets,
        }
    }

    /// Queues the shell texts command `cmd` (to be number `index`) runs: `sh -c TEXT`,
    /// `eval TEXT`, a heredoc fed to a shell or written to a script file, `ssh host TEXT`.
    fn queue_nested(&mut self, cmd: &SimpleCommand, index: usize) {
        let words: Vec<&str> = cmd.argv.iter().map(|w| w.text.as_str()).collect();
        let Some(first) = words.first() else {
            return;
        };
        let launcher = launcher_name(&words);
        let context = match &launcher {
            Some(by) => {
                self.script.contexts.push(Context::Launched {
                    by: by.clone(),
                    command: index,
                });
                self.script.contexts.len() - 1
            }
            None => self.context,
        };
        // `sh -c TEXT` anywhere in the words (after `sudo`, `docker run img`, `kubectl exec
        // pod --`, `timeout 5`).
        if let Some(i) = words.iter().position(|w| is_shell(w)) {
            let mut k = i + 1;
            while let Some(flag) = words.get(k).filter(|f| f.starts_with('-') && f.len() > 1) {
                if !flag.starts_with("--") && flag.contains('c') {
                    if let Some(w) = cmd.argv.get(k + 1) {
                        let view = self.script_of(w);
                        self.nested_texts.push((view, context));
                    }
                    return;
                }
                k += 1;
            }
            // `bash <<EOF` / `ssh host bash <<'EOF'`: the heredoc is the script; `echo
            // "$SCRIPT" | bash`, `cat <<EOF | kubectl exec -i pod -- bash`: what the pipeline
            // feeds it is.
            if k == words.len() {
                self.queue_heredocs(cmd, context);
                if cmd.piped_from {
                    if let Some(view) = self.fed(index) {
                        self.nested_texts.push((view, context));
                    }
                }
                return;
            }
        }
        match *first {
            "eval" => {
                if let Some(w) = cmd.argv.get(1) {
                    let view = self.script_of(w);
                    self.nested_texts.push((view, self.context));
                }
            }
            "ssh" => {
                // The remote command: the words after the host, joined by spaces.
                if let Some(host) = ssh_host(&words) {
                    if let Some(w) = cmd.argv.get(host + 1) {
                        let view = self.script_of(w);
                        self.nested_texts.push((view, context));
                    } else {
                        self.queue_heredocs(cmd, context);
                    }
                }
            }
            "cat" | "tee" => {
                // `cat > run.sh <<EOF`, `cat <<EOF > run.sh`, `tee run.sh <<EOF`.
                let target = cmd
                    .redirects
                    .iter()
                    .find(|r| matches!(r.op.as_str(), ">" | ">>" | ">|"))
                    .and_then(|r| r.target.as_ref())
                    .map(|w| w.text.clone())
                    .or_else(|| {
                        (*first == "tee")
                            .then(|| words.iter().skip(1).find(|w| !w.starts_with('-')))
                            .flatten()
                            .map(|w| w.to_string())
                    });
                let Some(path) = target else { return };
                let body = cmd
                    .redirects
                    .iter()
                    .find(|r| r.op.starts_with("<<") && r.op != "<<<");
                let Some(body) = body.and_then(|r| r.target.as_ref()) else {
                    return;
                };
                if writes_shell(&path, &body.text) {
                    self.script.contexts.push(Context::Written { path });
                    let ctx = self.script.contexts.len() - 1;
                    self.nested_texts.push((word_view(body), ctx));
                }
            }
            _ => {}
        }
    }

    /// The script the head of the pipeline ending at command `index` writes: the text of
    /// `echo "$VAR"` or `printf '%s' "$VAR"` for a variable holding a script, or the heredoc
    /// of `cat <<EOF`.
    fn fed(&self, index: usize) -> Option<View> {
        let mut head = index;
        while let Some(prev) = self
            .script
            .commands
            .iter()
            .rposition(|c| c.piped_to == Some(head))
        {
            head = prev;
        }
        let c = self.script.commands.get(head)?;
        match c.argv.first().map(|w| w.text.as_str())? {
            "echo" | "printf" => {
                let w = c.argv.last()?;
                w.variable()?;
                Some(self.script_of(w))
            }
            "cat" => c
                .redirects
                .iter()
                .find(|r| r.op.starts_with("<<") && r.op != "<<<")
                .and_then(|r| r.target.as_ref())
                .map(word_view),
            _ => None,
        }
    }

    fn queue_heredocs(&mut self, cmd: &SimpleCommand, context: usize) {
        for r in &cmd.redirects {
            if let (true, Some(body)) = (r.op.starts_with("<<") && r.op != "<<<", &r.target) {
                self.nested_texts.push((word_view(body), context));
            }
        }
    }
}

/// `time` (and `time -p`) is a keyword of the pipeline, not the command.
fn strip_time(argv: &mut Vec<Word>) {
    while argv.first().is_some_and(|w| w.text == "time") {
        argv.remove(0);
        if argv.first().is_some_and(|w| w.text == "-p") {
            argv.remove(0);
        }
    }
}

/// A command or process substitution (`$(...)`, `<(...)`).
fn is_substitution(n: Node) -> bool {
    matches!(n.kind(), "command_substitution" | "process_substitution")
}

/// A word's value as a shell text of its own.
fn word_view(w: &Word) -> View {
    super::dialect::neutralised(View {
        text: w.text.clone(),
        offsets: w.offsets.clone(),
        original: None,
    })
}

/// `sh`, `bash`, `/bin/bash`, `zsh`, `dash`, `ksh`.
pub fn is_shell(w: &str) -> bool {
    let name = w.rsplit('/').next().unwrap_or(w);
    matches!(name, "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash")
}

/// A command whose nested shell runs somewhere else, with an environment of its own (the
/// launcher table says so): the launcher's name. Launchers whose process inherits the
/// caller's whole environment (`torchrun`, `srun` by default) run in the same context.
fn launcher_name(words: &[&str]) -> Option<String> {
    let start = super::wrapped_start(words);
    let l = crate::formats::launch::launch(words.get(start..)?)?;
    (l.inherits != crate::formats::launch::Inherit::All).then_some(l.launcher)
}

/// The index of the host word of an `ssh` command (after its options).
fn ssh_host(words: &[&str]) -> Option<usize> {
    // Options of ssh that take a value.
    const WITH_VALUE: &str = "BbcDEeFIiJLlmOopQRSWw";
    let mut i = 1;
    while let Some(w) = words.get(i) {
        if let Some(flags) = w.strip_prefix('-') {
            let last = flags.chars().last().unwrap_or(' ');
            i += if flags.len() == 1 && WITH_VALUE.contains(last) {
                2
            } else {
                1
            };
            continue;
        }
        return Some(i);
    }
    None
}

/// A heredoc written to `path` holds shell: a `.sh`/`.bash` file, or a shell shebang.
fn writes_shell(path: &str, body: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".sh") || lower.ends_with(".bash") {
        return true;
    }
    let first = body.lines().next().unwrap_or("");
    first.starts_with("#!")
        && first
            .split(|c: char| c == '/' || c.is_whitespace())
            .any(is_shell)
}

/// An unquoted heredoc body with `\$`, `` \` ``, `\\` resolved and `\`-newline joined, and
/// each byte's index in `raw`.
fn heredoc_unescape(raw: &str) -> (String, Vec<usize>) {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut map = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\\' {
            match b.get(i + 1) {
                Some(&n @ (b'$' | b'`' | b'\\')) => {
                    out.push(n);
                    map.push(i + 1);
                    i += 2;
                    continue;
                }
                Some(b'\n') => {
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
        map.push(i);
        i += 1;
    }
    map.push(b.len());
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(c: &SimpleCommand) -> Vec<&str> {
        c.argv.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn commands_words_and_comments() {
        let t = "#!/bin/bash\n# wandb login later\necho \"then run wandb login yourself\"\nFOO=1 docker run -e WANDB_API_KEY=\"$K\" img python t.py  # c\n";
        let s = Script::parse_at(t, 0);
        assert_eq!(s.commands.len(), 2);
        assert_eq!(
            argv(&s.commands[0]),
            ["echo", "then run wandb login yourself"]
        );
        let d = &s.commands[1];
        assert_eq!(d.assigns[0].name, "FOO");
        assert_eq!(
            argv(d),
            [
                "docker",
                "run",
                "-e",
                "WANDB_API_KEY=$K",
                "img",
                "python",
                "t.py"
            ]
        );
        let w = &d.argv[3];
        assert!(w.expands);
        // `$K` inside the word points at its place in the file.
        assert_eq!(&t[w.range(14..16)], "$K");
        assert!(s.errors.is_empty());
    }

    #[test]
    fn heredoc_written_script_is_parsed_with_escapes_resolved() {
        let t = "cat > run.sh <<EOF\nexport WANDB_API_KEY=\"\\${WANDB_PASSWORD}\"\nEOF\npython train.py\n";
        let s = Script::parse_at(t, 0);
        let (a, ctx) = s
            .assignments
            .iter()
            .find(|(a, _)| a.name == "WANDB_API_KEY")
            .expect("assignment in the heredoc");
        assert_eq!(a.raw, "\"${WANDB_PASSWORD}\"");
        assert_eq!(
            s.contexts[*ctx],
            Context::Written {
                path: "run.sh".into()
            }
        );
        assert_eq!(&t[a.name_span.clone()], "WANDB_API_KEY");
    }

    #[test]
    fn nested_shell_texts() {
        let t = "bash -c 'wandb login \"$KEY\"' && ssh gpu1 \"export A=1; python x.py\"\nsudo -u ml bash <<'EOF'\nwandb login\nEOF\n";
        let s = Script::parse_at(t, 0);
        let names: Vec<Vec<&str>> = s.commands.iter().map(argv).collect();
        assert!(names.contains(&vec!["wandb", "login", "$KEY"]), "{names:?}");
        assert!(names.contains(&vec!["python", "x.py"]), "{names:?}");
        assert!(names.contains(&vec!["wandb", "login"]), "{names:?}");
        let login = s
            .commands
            .iter()
            .find(|c| argv(c) == ["wandb", "login", "$KEY"])
            .unwrap();
        assert_eq!(&t[login.argv[2].span.clone()], "\"$KEY\"");
        let py = s
            .commands
            .iter()
            .find(|c| argv(c) == ["python", "x.py"])
            .unwrap();
        assert!(matches!(s.contexts[py.context], Context::Launched { .. }));
    }

    #[test]
    fn pipelines_and_redirects() {
        let t = "echo \"$WANDB_API_KEY\" | docker login --password-stdin\nenv | sort > env.txt\n";
        let s = Script::parse_at(t, 0);
        assert_eq!(s.commands[0].piped_to, Some(1));
        assert!(s.commands[1].piped_from);
        assert_eq!(s.commands[3].redirects[0].op, ">");
        assert_eq!(
            s.commands[3].redirects[0].target.as_ref().unwrap().text,
            "env.txt"
        );
    }

    #[test]
    fn a_script_held_in_a_variable_runs_where_it_is_run() {
        let t = "JOB=$(cat <<EOF\nexport WANDB_API_KEY=$WANDB_API_KEY\npython t.py\nEOF\n)\nkubectl exec pod -- /bin/bash -c \"$JOB\"\n";
        let s = Script::parse_at(t, 0);
        let (a, ctx) = s
            .assignments
            .iter()
            .find(|(a, _)| a.name == "WANDB_API_KEY")
            .expect("the held script is read");
        assert!(matches!(s.contexts[*ctx], Context::Launched { .. }));
        assert_eq!(&t[a.name_span.clone()], "WANDB_API_KEY");
    }

    #[test]
    fn arrays_alternatives_read_heredocs_and_fed_pipelines() {
        let t = "ARGS=(\n  # a comment\n  --export=\"WANDB_API_KEY,HOME\"\n)\nARGS+=(--exclude=n1)\nsbatch \"${ARGS[@]}\" job.sh\ndocker run ${K:+-e WANDB_API_KEY=$K} img\n";
        let s = Script::parse_at(t, 0);
        let find = |first: &str| {
            s.commands
                .iter()
                .find(|c| c.argv.first().is_some_and(|w| w.text == first))
                .unwrap()
        };
        assert_eq!(
            argv(find("sbatch")),
            [
                "sbatch",
                "--export=WANDB_API_KEY,HOME",
                "--exclude=n1",
                "job.sh"
            ]
        );
        let d = find("docker");
        assert_eq!(argv(d), ["docker", "run", "-e", "WANDB_API_KEY=$K", "img"]);
        assert_eq!(&t[d.argv[3].span.clone()], "WANDB_API_KEY=$K");
        let t = "read -r -d '' cmd <<EOF\nexport WANDB_API_KEY=x\nEOF\nsrun bash -c \"${cmd}\"\nS=$(cat <<EOF\nwandb login\nEOF\n)\necho \"$S\" | tr -d x | kubectl exec -i pod -- /bin/bash\n";
        let s = Script::parse_at(t, 0);
        assert!(
            s.assignments.iter().any(|(a, _)| a.name == "WANDB_API_KEY"),
            "{:?}",
            s.assignments
        );
        let login = s
            .commands
            .iter()
            .find(|c| argv(c) == ["wandb", "login"])
            .expect("fed script read");
        assert!(matches!(
            s.contexts[login.context],
            Context::Launched { .. }
        ));
    }

    #[test]
    fn syntax_errors_are_kept_and_the_rest_is_read() {
        let t = "if then fi (\nwandb login $K\n";
        let s = Script::parse_at(t, 0);
        assert!(!s.errors.is_empty());
    }
}
