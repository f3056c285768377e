/* outer /* inner; */ still comment; */ SELECT '-- not a comment;' AS x;
SELECT E'it\'s; fine', "semi;colon" FROM (SELECT 1 AS "semi;colon") s;