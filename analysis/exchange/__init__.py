"""Exchange with QDA programs: REFI-QDA projects and codebooks, and spreadsheet exports."""
