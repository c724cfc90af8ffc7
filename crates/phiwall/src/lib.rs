//! Library side of the `phiwall` binary: input readers, output and secret handling that the
//! subcommands share and that fuzz targets exercise directly.

pub mod input;
pub mod output;
pub mod respond_view;
pub mod secret;
