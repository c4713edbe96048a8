/** Importing this module fills the operation table. */
import './elementwise-binary.js';
