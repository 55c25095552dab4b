"""Following: readers follow stories and get one direct message per release run."""
