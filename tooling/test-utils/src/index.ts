export { systemProgram, type SystemProgram } from './system-program.js';
