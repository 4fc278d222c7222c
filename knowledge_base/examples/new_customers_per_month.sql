-- Question: How many new customers signed up each month?
-- Description: Sign-ups per month from customers.signup_date, whether or not they have ordered yet.
SELECT strftime('%Y-%m', signup_date) AS month,
       COUNT(*) AS new_customers
FROM customers
GROUP BY month
ORDER BY month;
