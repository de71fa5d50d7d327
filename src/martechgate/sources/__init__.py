"""Where governed files come from: the work tree, a git revision, a change between two, GitHub.

The bottom layer: files -> located values. The only code that runs git or speaks HTTP."""
