-- Nothing to undo: 0011's rollback drops the marks with their tables.
DO $$ BEGIN END $$;
