"""What a page or a CLI command shows, built from the store's frames: map view, view state, adviser register, gap
list."""
