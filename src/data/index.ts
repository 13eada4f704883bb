// cr.data: filled in by its module files.
export {};
