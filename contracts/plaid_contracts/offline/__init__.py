"""Starting the offline sandbox for a run: as a server on loopback, or inside the test process."""
