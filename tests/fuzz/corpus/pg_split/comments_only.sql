  -- nothing; here
/* nor ; here */
