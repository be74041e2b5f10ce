/** The permission matrix against the built-in authorizer (roles and grants in the catalog database). */
import { permissionMatrix } from './permission-matrix.js';

permissionMatrix('built-in authorizer, SQLite');
