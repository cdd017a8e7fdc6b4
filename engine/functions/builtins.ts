/** Registers every built-in function and operator (import for its side effects). */
import './scalar/arithmetic.js';
import './scalar/comparison.js';
import './scalar/string.js';
import './scalar/system.js';
import './aggregate/basic.js';
