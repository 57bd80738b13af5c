//! The shell language: a small POSIX sh subset, parsed from the text typed so far.
//!
//! Supported: words with `'single'`, `"double"` quotes and backslash escapes (as sh does them);
//! `$VAR`, `${VAR}` and `$?` (expanded at run time, without field splitting); `|` pipelines; `;`,
//! `&&`, `||` lists; a trailing `&` for background jobs; `#` comments; redirections `>`, `>>`, `<`,
//! `2>file`, `2>&1`, `>&2`; here-documents `<<EOF`, `<<'EOF'` (no expansion) and `<<-EOF` (leading
//! tabs stripped) whose bodies follow on the next lines.
//!
//! The browser sends one line at a time, so parsing answers [`Parse::Incomplete`] while a quote, a
//! here-document, a trailing operator or a trailing backslash still waits for more lines; the shell
//! then shows the continuation prompt `> ` and parses the accumulated text again.

/// Inputs longer than this are refused, so a pasted novel cannot stall the terminal.
pub const INPUT_BYTES_MAX: usize = 64 * 1024;

/// One piece of a word: literal text, or a variable expanded when the command runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Var(String),
}

/// A word before expansion.
pub type Word = Vec<Part>;

/// Where a redirection sends or takes a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `fd> word` or `fd>> word`.
    Out { fd: u32, target: Word, append: bool },
    /// `fd>&dup`, e.g. `2>&1`.
    Dup { fd: u32, to: u32 },
    /// `< word`.
    In { source: Word },
    /// A here-document: its body (expanded unless the delimiter was quoted).
    Heredoc { body: Word },
}

/// One simple command: assignments, words and redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// Commands joined by `|`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    /// The source text, as `jobs` shows it.
    pub text: String,
}

/// How a pipeline is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    First,
    And,
    Or,
}

/// Pipelines joined by `&&`/`||`, run in the foreground or as a background job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AndOr {
    pub pipelines: Vec<(Connector, Pipeline)>,
    pub background: bool,
    pub text: String,
}

/// The result of parsing the text typed so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parse {
    Complete(Vec<AndOr>),
    /// More lines are needed (open quote, here-document, trailing operator or backslash).
    Incomplete,
    /// A syntax error, with bash's message.
    Error(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(Word, String),
    Pipe,
    AndIf,
    OrIf,
    Semi,
    Amp,
    Newline,
    Redir(RedirTok),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum RedirTok {
    Out { fd: u32, append: bool },
    Dup { fd: u32, to: String },
    In,
    Heredoc { strip_tabs: bool },
}

struct PendingHeredoc {
    delimiter: String,
    quoted: bool,
    strip_tabs: bool,
    /// Index of the token the body is attached to.
    token: usize,
}

/// Splits the text into tokens; here-document bodies are read at each newline.
struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    toks: Vec<(Tok, usize, usize)>,
    bodies: Vec<(usize, Word)>,
    pending: Vec<PendingHeredoc>,
    _src: &'a str,
}

enum LexError {
    Incomplete,
    Syntax(String),
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer { chars: src.chars().collect(), pos: 0, toks: Vec::new(), bodies: Vec::new(), pending: Vec::new(), _src: src }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn redirect(&mut self, fd: Option<u32>, start: usize) -> Result<(), LexError> {
        let c = self.peek(0).unwrap_or('>');
        self.pos += 1;
        let tok = if c == '<' {
            if self.peek(0) == Some('<') {
                self.pos += 1;
                let strip_tabs = self.peek(0) == Some('-');
                if strip_tabs {
                    self.pos += 1;
                }
                RedirTok::Heredoc { strip_tabs }
            } else {
                RedirTok::In
            }
        } else if self.peek(0) == Some('>') {
            self.pos += 1;
            RedirTok::Out { fd: fd.unwrap_or(1), append: true }
        } else if self.peek(0) == Some('&') {
            self.pos += 1;
            let mut to = String::new();
            while let Some(d) = self.peek(0).filter(|d| d.is_ascii_alphanumeric() || *d == '-') {
                to.push(d);
                self.pos += 1;
            }
            RedirTok::Dup { fd: fd.unwrap_or(1), to }
        } else {
            if self.peek(0) == Some('|') {
                self.pos += 1;
            }
            RedirTok::Out { fd: fd.unwrap_or(1), append: false }
        };
        self.toks.push((Tok::Redir(tok), start, self.pos));
        Ok(())
    }

    /// Reads one word up to an unquoted metacharacter.
    fn word(&mut self) -> Result<Word, LexError> {
        let mut parts: Word = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' | '\r' | '|' | '&' | ';' | '<' | '>' | '(' | ')' => break,
                '\\' => {
                    match self.peek(1) {
                        None => {
                            return Err(LexError::Incomplete);
                        }
                        Some('\n') => {}
                        Some(e) => lit.push(e),
                    }
                    self.pos += 2;
                }
                '\'' => {
                    self.pos += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(LexError::Incomplete),
                            Some('\'') => break,
                            Some(q) => lit.push(q),
                        }
                        self.pos += 1;
                    }
                    self.pos += 1;
                    // An empty quoted string is still a word.
                    if lit.is_empty() {
                        parts.push(Part::Lit(String::new()));
                    }
                }
                '"' => {
                    self.pos += 1;
                    let before = parts.len();
                    loop {
                        match self.peek(0) {
                            None => return Err(LexError::Incomplete),
                            Some('"') => break,
                            Some('\\') => match self.peek(1) {
                                None => return Err(LexError::Incomplete),
                                Some(e @ ('$' | '`' | '"' | '\\')) => {
                                    lit.push(e);
                                    self.pos += 2;
                                }
                                Some('\n') => self.pos += 2,
                                Some(_) => {
                                    lit.push('\\');
                                    self.pos += 1;
                                }
                            },
                            Some('$') => self.dollar(&mut parts, &mut lit),
                            Some(q) => {
                                lit.push(q);
                                self.pos += 1;
                            }
                        }
                    }
                    self.pos += 1;
                    if lit.is_empty() && parts.len() == before {
                        parts.push(Part::Lit(String::new()));
                    }
                }
                '$' => self.dollar(&mut parts, &mut lit),
                _ => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        if !lit.is_empty() || parts.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(merge_literals(parts))
    }

    /// `$NAME`, `${NAME}`, `$?`, `$$`, `$1`...; a lone `$` is literal.
    fn dollar(&mut self, parts: &mut Word, lit: &mut String) {
        self.pos += 1;
        let name = match self.peek(0) {
            Some('{') => {
                let mut name = String::new();
                let mut j = 1;
                while let Some(c) = self.peek(j) {
                    if c == '}' {
                        break;
                    }
                    name.push(c);
                    j += 1;
                }
                if self.peek(j) == Some('}') {
                    self.pos += j + 1;
                    Some(name)
                } else {
                    None
                }
            }
            Some(c @ ('?' | '$' | '#' | '0'..='9')) => {
                self.pos += 1;
                Some(c.to_string())
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek(0).filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    name.push(c);
                    self.pos += 1;
                }
                Some(name)
            }
            _ => None,
        };
        match name {
            Some(name) => {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(lit)));
                }
                parts.push(Part::Var(name));
            }
            None => lit.push('$'),
        }
    }

    /// After a newline: the bodies of the here-documents opened on the line just ended.
    fn read_heredoc_bodies(&mut self) -> Result<(), LexError> {
        let pending = std::mem::take(&mut self.pending);
        for doc in pending {
            let mut body = String::new();
            let mut found = false;
            while self.pos < self.chars.len() {
                let end = (self.pos..self.chars.len()).find(|&i| self.chars[i] == '\n');
                let Some(end) = end else {
                    // A last line without newline cannot be the delimiter yet: the browser always
                    // sends complete lines, so wait for more.
                    return Err(LexError::Incomplete);
                };
                let mut line: String = self.chars[self.pos..end].iter().collect();
                self.pos = end + 1;
                if doc.strip_tabs {
                    line = line.trim_start_matches('\t').to_string();
                }
                if line == doc.delimiter {
                    found = true;
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if !found {
                return Err(LexError::Incomplete);
            }
            let word = if doc.quoted { vec![Part::Lit(body)] } else { expand_heredoc(&body) };
            self.bodies.push((doc.token, word));
        }
        Ok(())
    }
}

fn merge_literals(parts: Word) -> Word {
    let mut out: Word = Vec::new();
    for part in parts {
        match (out.last_mut(), part) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
            (_, part) => out.push(part),
        }
    }
    out
}

/// An unquoted here-document body: `$VAR` expands; `\$`, `\\`, `` \` `` and `\newline` escape.
fn expand_heredoc(body: &str) -> Word {
    let mut lexer = Lexer::new(body);
    let mut parts: Word = Vec::new();
    let mut lit = String::new();
    while let Some(c) = lexer.peek(0) {
        match c {
            '\\' => match lexer.peek(1) {
                Some(e @ ('$' | '`' | '\\')) => {
                    lit.push(e);
                    lexer.pos += 2;
                }
                Some('\n') => lexer.pos += 2,
                _ => {
                    lit.push('\\');
                    lexer.pos += 1;
                }
            },
            '$' => lexer.dollar(&mut parts, &mut lit),
            _ => {
                lit.push(c);
                lexer.pos += 1;
            }
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(Part::Lit(lit));
    }
    merge_literals(parts)
}

/// The literal text of a word with its variables left as `$NAME` (for here-document delimiters).
fn word_literal(word: &Word) -> String {
    word.iter()
        .map(|p| match p {
            Part::Lit(s) => s.clone(),
            Part::Var(v) => format!("${v}"),
        })
        .collect()
}

/// Parses everything typed so far (possibly several lines).
pub fn parse(src: &str) -> Parse {
    if src.len() > INPUT_BYTES_MAX {
        return Parse::Error("input too long".into());
    }
    // Here-documents are attached while lexing: we need a first pass to find heredoc delimiters,
    // because the body reader runs at each newline.
    let mut lexer = Lexer::new(src);
    let result = lex_with_heredocs(&mut lexer);
    match result {
        Err(LexError::Incomplete) => return Parse::Incomplete,
        Err(LexError::Syntax(message)) => return Parse::Error(message),
        Ok(()) => {}
    }
    build(src, &lexer.toks, &lexer.bodies)
}

/// Lexes, registering a pending here-document each time `<<` and its delimiter word are seen.
fn lex_with_heredocs(lexer: &mut Lexer) -> Result<(), LexError> {
    // The lexer pushes tokens; we watch for heredoc operators by re-checking after each token.
    loop {
        let Some(c) = lexer.peek(0) else { break };
        let before = lexer.toks.len();
        // Lex exactly one token (or skip blanks) by running a bounded step.
        step(lexer, c)?;
        if lexer.toks.len() > before {
            let n = lexer.toks.len();
            if n >= 2 {
                if let (Tok::Redir(RedirTok::Heredoc { strip_tabs }), Tok::Word(word, text)) =
                    (&lexer.toks[n - 2].0, &lexer.toks[n - 1].0)
                {
                    let quoted = text.contains(['\'', '"', '\\']);
                    lexer.pending.push(PendingHeredoc {
                        delimiter: if quoted { word_literal(word) } else { text.clone() },
                        quoted,
                        strip_tabs: *strip_tabs,
                        token: n - 2,
                    });
                }
            }
        }
    }
    if !lexer.pending.is_empty() {
        return Err(LexError::Incomplete);
    }
    Ok(())
}

/// One lexing step: the body of `Lexer::run`'s loop, factored so heredocs can be registered.
fn step(lexer: &mut Lexer, c: char) -> Result<(), LexError> {
    // Run the general loop on a one-token budget by temporarily truncating the input: simpler to
    // duplicate the dispatch here through `run_one`.
    lexer.run_one(c)
}

impl Lexer<'_> {
    fn run_one(&mut self, c: char) -> Result<(), LexError> {
        let start = self.pos;
        match c {
            ' ' | '\t' | '\r' => self.pos += 1,
            '\n' => {
                self.pos += 1;
                self.toks.push((Tok::Newline, start, self.pos));
                self.read_heredoc_bodies()?;
            }
            '#' => {
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
            }
            '\\' if self.peek(1) == Some('\n') => self.pos += 2,
            '|' => {
                let tok = if self.peek(1) == Some('|') { Tok::OrIf } else { Tok::Pipe };
                self.pos += if tok == Tok::OrIf { 2 } else { 1 };
                self.toks.push((tok, start, self.pos));
            }
            '&' => {
                if self.peek(1) == Some('&') {
                    self.pos += 2;
                    self.toks.push((Tok::AndIf, start, self.pos));
                } else if self.peek(1) == Some('>') {
                    self.pos += 2;
                    self.toks.push((Tok::Redir(RedirTok::Out { fd: 99, append: false }), start, self.pos));
                } else {
                    self.pos += 1;
                    self.toks.push((Tok::Amp, start, self.pos));
                }
            }
            ';' => {
                if self.peek(1) == Some(';') {
                    return Err(LexError::Syntax("syntax error near unexpected token `;;'".into()));
                }
                self.pos += 1;
                self.toks.push((Tok::Semi, start, self.pos));
            }
            '(' | ')' => return Err(LexError::Syntax(format!("syntax error near unexpected token `{c}'"))),
            '<' | '>' => self.redirect(None, start)?,
            d if d.is_ascii_digit() && matches!(self.peek(1), Some('<' | '>')) => {
                self.pos += 1;
                self.redirect(d.to_digit(10), start)?;
            }
            _ => {
                let word = self.word()?;
                let text: String = self.chars[start..self.pos].iter().collect();
                self.toks.push((Tok::Word(word, text), start, self.pos));
            }
        }
        Ok(())
    }
}

fn tok_text(tok: &Tok) -> String {
    match tok {
        Tok::Word(_, text) => text.clone(),
        Tok::Pipe => "|".into(),
        Tok::AndIf => "&&".into(),
        Tok::OrIf => "||".into(),
        Tok::Semi => ";".into(),
        Tok::Amp => "&".into(),
        Tok::Newline => "newline".into(),
        Tok::Redir(RedirTok::Heredoc { .. }) => "<<".into(),
        Tok::Redir(RedirTok::In) => "<".into(),
        Tok::Redir(_) => ">".into(),
    }
}

fn unexpected(tok: &Tok) -> Parse {
    Parse::Error(format!("syntax error near unexpected token `{}'", tok_text(tok)))
}

/// Builds the command lists from the tokens.
fn build(src: &str, toks: &[(Tok, usize, usize)], bodies: &[(usize, Word)]) -> Parse {
    let chars: Vec<char> = src.chars().collect();
    let slice = |a: usize, b: usize| -> String { chars[a..b].iter().collect::<String>().trim().to_string() };
    let mut lists: Vec<AndOr> = Vec::new();
    let mut current = AndOr::default();
    let mut pipeline = Pipeline::default();
    let mut command = Command::default();
    let mut connector = Connector::First;
    // Start offsets of the current pipeline and list, for their source text.
    let mut pipeline_start: Option<usize> = None;
    let mut list_start: Option<usize> = None;
    let mut last_end = 0;
    // True right after an operator that needs a following command.
    let mut need_command = false;
    let mut i = 0;
    while i < toks.len() {
        let (tok, start, end) = &toks[i];
        match tok {
            Tok::Word(word, text) => {
                pipeline_start.get_or_insert(*start);
                list_start.get_or_insert(*start);
                let is_assign = command.words.is_empty()
                    && text.find('=').is_some_and(|eq| {
                        eq > 0 && text[..eq].chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            && !text.starts_with(|c: char| c.is_ascii_digit())
                    });
                if is_assign {
                    let eq = text.find('=').unwrap_or(0);
                    let name = text[..eq].to_string();
                    // The value is the word minus the `NAME=` prefix.
                    let mut value = word.clone();
                    if let Some(Part::Lit(first)) = value.first_mut() {
                        *first = first.get(eq + 1..).unwrap_or("").to_string();
                    }
                    command.assigns.push((name, value));
                } else {
                    command.words.push(word.clone());
                }
                need_command = false;
                last_end = *end;
            }
            Tok::Redir(r) => {
                pipeline_start.get_or_insert(*start);
                list_start.get_or_insert(*start);
                let redirect = match r {
                    RedirTok::Heredoc { .. } => {
                        let body = bodies.iter().find(|(t, _)| *t == i).map(|(_, w)| w.clone()).unwrap_or_default();
                        i += 1; // the delimiter word
                        Redirect::Heredoc { body }
                    }
                    RedirTok::Dup { fd, to } => match to.parse::<u32>() {
                        Ok(to) => Redirect::Dup { fd: *fd, to },
                        Err(_) => {
                            // `>&file` is bash for `>file 2>&1`.
                            if to.is_empty() {
                                return match toks.get(i + 1) {
                                    Some((Tok::Word(w, _), _, _)) => {
                                        command.redirects.push(Redirect::Out { fd: 1, target: w.clone(), append: false });
                                        command.redirects.push(Redirect::Dup { fd: 2, to: 1 });
                                        i += 2;
                                        last_end = toks[i - 1].2;
                                        continue;
                                    }
                                    Some((t, _, _)) => unexpected(t),
                                    None => unexpected(&Tok::Newline),
                                };
                            }
                            return Parse::Error(format!("{to}: ambiguous redirect"));
                        }
                    },
                    RedirTok::Out { fd, append } => match toks.get(i + 1) {
                        Some((Tok::Word(w, _), _, _)) => {
                            i += 1;
                            Redirect::Out { fd: *fd, target: w.clone(), append: *append }
                        }
                        Some((t, _, _)) => return unexpected(t),
                        None => return unexpected(&Tok::Newline),
                    },
                    RedirTok::In => match toks.get(i + 1) {
                        Some((Tok::Word(w, _), _, _)) => {
                            i += 1;
                            Redirect::In { source: w.clone() }
                        }
                        Some((t, _, _)) => return unexpected(t),
                        None => return unexpected(&Tok::Newline),
                    },
                };
                if let RedirTok::Out { fd: 99, .. } = r {
                    // `&>file`
                    if let Redirect::Out { target, append, .. } = redirect {
                        command.redirects.push(Redirect::Out { fd: 1, target, append });
                        command.redirects.push(Redirect::Dup { fd: 2, to: 1 });
                    }
                } else {
                    command.redirects.push(redirect);
                }
                need_command = false;
                last_end = toks[i].2;
            }
            Tok::Pipe => {
                if command == Command::default() {
                    return unexpected(tok);
                }
                pipeline.commands.push(std::mem::take(&mut command));
                need_command = true;
            }
            Tok::AndIf | Tok::OrIf => {
                if command == Command::default() {
                    return unexpected(tok);
                }
                pipeline.commands.push(std::mem::take(&mut command));
                pipeline.text = slice(pipeline_start.unwrap_or(*start), last_end);
                current.pipelines.push((connector, std::mem::take(&mut pipeline)));
                pipeline_start = None;
                connector = if *tok == Tok::AndIf { Connector::And } else { Connector::Or };
                need_command = true;
            }
            Tok::Semi | Tok::Amp | Tok::Newline => {
                if command == Command::default() {
                    if need_command {
                        if *tok == Tok::Newline {
                            i += 1;
                            continue; // `a |` newline `b`: the pipeline goes on
                        }
                        return unexpected(tok);
                    }
                    if *tok != Tok::Newline && pipeline.commands.is_empty() && current.pipelines.is_empty() {
                        return unexpected(tok);
                    }
                } else {
                    pipeline.commands.push(std::mem::take(&mut command));
                }
                if !pipeline.commands.is_empty() {
                    pipeline.text = slice(pipeline_start.unwrap_or(*start), last_end);
                    current.pipelines.push((connector, std::mem::take(&mut pipeline)));
                }
                if !current.pipelines.is_empty() {
                    current.background = *tok == Tok::Amp;
                    current.text = slice(list_start.unwrap_or(*start), last_end);
                    lists.push(std::mem::take(&mut current));
                }
                pipeline_start = None;
                list_start = None;
                connector = Connector::First;
            }
        }
        i += 1;
    }
    if need_command {
        return Parse::Incomplete;
    }
    if command != Command::default() {
        pipeline.commands.push(command);
    }
    if !pipeline.commands.is_empty() {
        pipeline.text = slice(pipeline_start.unwrap_or(0), last_end);
        current.pipelines.push((connector, pipeline));
    }
    if !current.pipelines.is_empty() {
        current.text = slice(list_start.unwrap_or(0), last_end);
        lists.push(current);
    }
    Parse::Complete(lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn words(src: &str) -> Vec<Vec<String>> {
        match parse(src) {
            Parse::Complete(lists) => lists
                .iter()
                .flat_map(|l| l.pipelines.iter())
                .flat_map(|(_, p)| p.commands.iter())
                .map(|c| c.words.iter().map(|w| word_literal(w)).collect())
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quotes_and_escapes_follow_sh() {
        assert_eq!(words(r#"echo 'a b' "c\"d" e\ f 'x'"y"z "\n""#), vec![vec!["echo", "a b", "c\"d", "e f", "xyz", "\\n"]]);
        assert_eq!(words("echo '' \"\""), vec![vec!["echo", "", ""]]);
    }

    #[test]
    fn open_quote_and_trailing_pipe_need_more_input() {
        assert_eq!(parse("echo 'abc"), Parse::Incomplete);
        assert_eq!(parse("echo abc |"), Parse::Incomplete);
        assert_eq!(parse("echo abc &&"), Parse::Incomplete);
        assert_eq!(parse("echo abc \\"), Parse::Incomplete);
        assert_eq!(words("echo 'a\nb'"), vec![vec!["echo", "a\nb"]]);
    }

    #[test]
    fn heredoc_waits_for_its_delimiter() {
        assert_eq!(parse("cat <<EOF\n"), Parse::Incomplete);
        assert_eq!(parse("cat <<EOF\nhello\n"), Parse::Incomplete);
        let Parse::Complete(lists) = parse("cat <<EOF\nhello $X\nEOF\n") else { panic!() };
        let cmd = &lists[0].pipelines[0].1.commands[0];
        assert_eq!(
            cmd.redirects,
            vec![Redirect::Heredoc { body: vec![Part::Lit("hello ".into()), Part::Var("X".into()), Part::Lit("\n".into())] }]
        );
        let Parse::Complete(lists) = parse("cat <<-'E F'\n\t$X\n\tE F\n") else { panic!() };
        assert_eq!(lists[0].pipelines[0].1.commands[0].redirects, vec![Redirect::Heredoc { body: vec![Part::Lit("$X\n".into())] }]);
    }

    #[test]
    fn lists_and_background_jobs() {
        let Parse::Complete(lists) = parse("sleep 5 & echo a && echo b || echo c; echo d") else { panic!() };
        assert_eq!(lists.len(), 3);
        assert!(lists[0].background);
        assert_eq!(lists[0].text, "sleep 5");
        assert_eq!(lists[1].pipelines.len(), 3);
        assert_eq!(lists[1].pipelines[2].0, Connector::Or);
    }

    #[test]
    fn syntax_errors_use_bash_wording() {
        assert_eq!(parse("| a"), Parse::Error("syntax error near unexpected token `|'".into()));
        assert_eq!(parse("a ;; b"), Parse::Error("syntax error near unexpected token `;;'".into()));
        assert_eq!(parse("echo >"), Parse::Error("syntax error near unexpected token `newline'".into()));
        assert_eq!(parse("; a"), Parse::Error("syntax error near unexpected token `;'".into()));
    }

    #[test]
    fn redirections_parse() {
        let Parse::Complete(lists) = parse("sim export > compose.yml 2>&1 2>/dev/null") else { panic!() };
        let r = &lists[0].pipelines[0].1.commands[0].redirects;
        assert_eq!(r.len(), 3);
        assert_eq!(r[1], Redirect::Dup { fd: 2, to: 1 });
    }
}
