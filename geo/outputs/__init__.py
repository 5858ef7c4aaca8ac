"""Files and maps handed to people: CSV/XLSX encoders, the folium map, outlines, basemaps, GCJ-02, offline assets,
one-time downloads."""
