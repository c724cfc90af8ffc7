//! Synthetic transcript generator (filled below).
