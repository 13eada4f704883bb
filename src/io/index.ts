// cr.io: filled in by its module files.
export {};
