// cr.explain: filled in by its module files.
export {};
