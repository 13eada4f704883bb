// cr.optim: filled in by its module files.
export {};
